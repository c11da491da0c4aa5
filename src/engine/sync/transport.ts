import type { FailureInfo } from '../bws/errors.js';
import type { TemplateSnapshot } from '../store/queue-types.js';

/**
 * What the sync engine needs from the BWS client, normalised. The engine depends on this port only; the real
 * implementation (bws-transport.ts) adapts BwsClient. Class ids are decimal strings.
 */
export interface EnrollOutcome {
  /** JobStatus name (SUCCEEDED, FAULTED, CANCELLED) or UNKNOWN(n). */
  status: string;
  /** EnrollmentAction name (NEW_TEMPLATE_CREATED, ..., ENROLLMENT_FAILED) or UNKNOWN(n). */
  action: string;
  /** Job errors in words (empty when none). */
  errorText: string;
  /** The `jobid` response header: the BWS job's GUID. */
  serverJobId: string | null;
  /** Images the service enrolled (feature vectors it added). */
  enrolledImages: number;
  /** The template's status as the answer reports it (after this enrollment), or null when it has none. */
  templateAfter: TemplateSnapshot | null;
}

export interface SyncTransport {
  enroll(classId: string, images: Buffer[], options: { reference: string; deadlineMs: number }): Promise<EnrollOutcome>;
  templateStatus(classId: string, options: { deadlineMs: number }): Promise<TemplateSnapshot>;
  /** Health `readiness`: true when SERVING, false when the service answers but is not ready. Throws when unreachable. */
  readiness(options: { deadlineMs: number }): Promise<boolean>;
  /** The wire layer's one classification of failures. */
  classify(error: unknown): FailureInfo;
  close(): void | Promise<void>;
}
