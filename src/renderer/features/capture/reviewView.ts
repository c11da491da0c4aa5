import type { EnrollResult, ImageAnalysis, QualityCheck } from '../../../shared/schemas.js';

/**
 * What the review shows for each photo and for the enrollment result, as data (catalog ids and values), so
 * the words follow the language and the logic is tested without a browser.
 */

export interface CheckLine {
  check: string;
  /** 'fail': keeps the photo out; 'warn': reported, the photo is still used. */
  severity: 'fail' | 'warn';
  audience: 'subject' | 'operator';
  /** The engine's own sentence (the detail under the translated title). */
  detail: string;
}

/** Every failed check of a still: gating ones first (they keep the photo out), then warnings. */
export function checkLines(analysis: ImageAnalysis): CheckLine[] {
  const failed = analysis.assessments.filter((check: QualityCheck) => !check.pass);
  const line = (check: QualityCheck, severity: CheckLine['severity']): CheckLine => ({ check: check.check, severity, audience: check.audience, detail: check.message });
  return [...failed.filter((check) => check.gating).map((check) => line(check, 'fail')), ...failed.filter((check) => !check.gating).map((check) => line(check, 'warn'))];
}

export type PhotoVerdict = 'checking' | 'accepted' | 'acceptedWithWarnings' | 'rejected' | 'error' | 'duplicate';

export function photoVerdict(analysis: ImageAnalysis | null | undefined, error: string | null | undefined, duplicate = false): PhotoVerdict {
  if (error) return 'error';
  if (duplicate) return 'duplicate';
  if (!analysis) return 'checking';
  if (!analysis.accepted) return 'rejected';
  return checkLines(analysis).length > 0 ? 'acceptedWithWarnings' : 'accepted';
}

export type Outcome =
  | { kind: 'queued'; classId: string; used: number; total: number; dropped: Array<{ name: string; reasons: string[] }>; forcedOver: string | null }
  | { kind: 'duplicate'; classId: string; similarTo: string; similarity: number }
  | { kind: 'differentPeople'; detail: string }
  | { kind: 'noneAcceptable'; dropped: Array<{ name: string; reasons: string[] }> }
  | { kind: 'refused'; code: string; detail: string };

/** The enrollment result in the terms the operator needs: queued (and what was left out) or why not. */
export function enrollOutcome(result: EnrollResult, total: number): Outcome {
  if (result.queued) {
    return { kind: 'queued', classId: result.classId, used: result.accepted.length, total, dropped: result.rejected, forcedOver: result.similarTo?.classId ?? null };
  }
  const refusal = result.refusal ?? { code: 'NO_ACCEPTABLE_IMAGE', message: '' };
  if (refusal.code === 'DUPLICATE_FACE' && result.similarTo) return { kind: 'duplicate', classId: result.classId, similarTo: result.similarTo.classId, similarity: result.similarTo.similarity };
  if (refusal.code === 'DIFFERENT_PEOPLE') return { kind: 'differentPeople', detail: refusal.message };
  if (refusal.code === 'NO_ACCEPTABLE_IMAGE') return { kind: 'noneAcceptable', dropped: result.rejected };
  return { kind: 'refused', code: refusal.code, detail: refusal.message };
}
