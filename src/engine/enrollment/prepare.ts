import { createHash } from 'node:crypto';
import { StationError, type ErrorInfo } from '../../shared/errors.js';
import type { QualityCheck } from '../../shared/schemas.js';
import type { GateProfile, StillAnalysis, VisionEngine } from '../vision/types.js';
import { cosine } from '../vision/embed.js';
import { weakestPair } from './similarity.js';

/** BWS refuses requests over 50 MB; keep a margin for the protobuf envelope and metadata. */
export const MAX_REQUEST_BYTES = 48 * 1024 * 1024;
/** BWS recommends about 1200x1600 (larger images are downscaled by the service anyway). */
export const PORTRAIT_MAX_WIDTH = 1200;

export interface GalleryEntry {
  classId: string;
  jobId: string;
  /** Enrolled already (synced) rather than only queued: the refusal says which. */
  synced?: boolean;
  embedding: Float32Array;
}

export interface SourceImage {
  name: string;
  bytes: Uint8Array;
}

export interface AcceptedImage {
  name: string;
  /** sha256 of the source file as given (re-imports of the same file are skipped by it). */
  sourceSha256: string;
  /** What is sent to BWS: the 3:4 portrait crop around the face, PNG. */
  png: Buffer;
  embedding: Float32Array;
  /** Summary kept with the job (no pixels, no embedding). */
  summary: AnalysisSummary;
  warnings: string[];
}

export interface AnalysisSummary {
  width: number;
  height: number;
  faceCount: number;
  interEyeDistance: number | null;
  pose: { yaw: number; pitch: number; roll: number } | null;
  liveness: number | null;
  eyesOpen: number | null;
  failedChecks: string[];
}

export interface PreparedEnrollment {
  classId: string;
  accepted: AcceptedImage[];
  rejected: Array<{ name: string; reasons: string[] }>;
  /** Set when nothing may be queued (different people, duplicate face without --force, nothing acceptable). */
  refusal: ErrorInfo | null;
  /** Notes for the operator (e.g. a forced duplicate). */
  warnings: string[];
  /** The other class id this face matches at or above the threshold (refused, or queued when forced). */
  similarTo: { classId: string; similarity: number } | null;
}

export interface PrepareOptions {
  vision: VisionEngine;
  classId: string;
  images: SourceImage[];
  /** Embeddings of this station's queued and recently synced jobs. */
  gallery: readonly GalleryEntry[];
  /** Cosine similarity at or above which two faces are taken to be the same person. */
  matchThreshold: number;
  profile: GateProfile;
  /** Queue even when the face looks like another class id. */
  force: boolean;
  /** Size budget of the whole request (default: BWS's 50 MB less a margin). */
  maxRequestBytes?: number;
}

/** The one sentence for "nothing of this person can be enrolled" (enroll, import, the app). */
export const NO_ACCEPTABLE_IMAGE_MESSAGE = 'None of the images can be enrolled; see the reason for each image.';

/**
 * Turns a person's photos into what the queue stores: quality-gated, one person, not already enrolled under
 * another class id, cropped and encoded as BWS wants, within the request size limit.
 */
export async function prepareEnrollment(options: PrepareOptions): Promise<PreparedEnrollment> {
  const result: PreparedEnrollment = { classId: options.classId, accepted: [], rejected: [], refusal: null, warnings: [], similarTo: null };
  const candidates: Array<{ source: SourceImage; analysis: StillAnalysis; digest: string }> = [];

  const seen = new Map<string, string>();
  for (const source of options.images) {
    // The same photo twice would add the same features twice to the template: keep the first.
    const digest = sha256(source.bytes);
    const first = seen.get(digest);
    if (first !== undefined) {
      result.rejected.push({ name: source.name, reasons: [`The same photo as ${first}: each photo is enrolled once.`] });
      continue;
    }
    seen.set(digest, source.name);
    const analysis = await options.vision.analyzeStill(source.bytes, { name: source.name, profile: options.profile, embedding: true });
    if (!analysis.ok) {
      result.rejected.push({ name: source.name, reasons: [analysis.error?.message ?? 'The image could not be read.'] });
    } else if (!analysis.accepted || !analysis.embeddingVector) {
      result.rejected.push({ name: source.name, reasons: rejectionReasons(analysis) });
    } else {
      candidates.push({ source, analysis, digest });
    }
  }
  if (candidates.length === 0) {
    result.refusal = { code: 'NO_ACCEPTABLE_IMAGE', message: NO_ACCEPTABLE_IMAGE_MESSAGE };
    return result;
  }

  const embeddings = candidates.map((candidate) => candidate.analysis.embeddingVector as Float32Array);
  const weakest = weakestPair(embeddings);
  if (weakest && weakest.score < options.matchThreshold) {
    const a = candidates[weakest.i]!.source.name;
    const b = candidates[weakest.j]!.source.name;
    result.refusal = {
      code: 'DIFFERENT_PEOPLE',
      message: `These photos show different people (${a} and ${b} match at ${weakest.score.toFixed(2)}, below ${options.matchThreshold}). Enroll each person under their own class id.`,
    };
    return result;
  }

  const duplicate = closestOtherClass(embeddings, options.gallery, options.classId);
  if (duplicate && duplicate.score >= options.matchThreshold) {
    result.similarTo = { classId: duplicate.classId, similarity: Math.round(duplicate.score * 100) / 100 };
    const where = duplicate.synced ? 'already enrolled from this station' : 'already queued on this station';
    const message = `This face looks like class ${duplicate.classId} (similarity ${duplicate.score.toFixed(2)}), ${where}.`;
    if (!options.force) {
      result.refusal = { code: 'DUPLICATE_FACE', message: `${message} Use --force if this really is a different person or the same person under a second id.` };
      return result;
    }
    result.warnings.push(`${message} Queued anyway (--force).`);
  }

  const pngs = await cropWithinLimit(options.vision, candidates, options.maxRequestBytes ?? MAX_REQUEST_BYTES);
  candidates.forEach((candidate, index) => {
    result.accepted.push({
      name: candidate.source.name,
      sourceSha256: candidate.digest,
      png: pngs[index]!,
      embedding: candidate.analysis.embeddingVector as Float32Array,
      summary: summarize(candidate.analysis),
      warnings: candidate.analysis.assessments.filter((check) => !check.pass && !check.gating).map((check) => check.message),
    });
  });
  return result;
}

function rejectionReasons(analysis: StillAnalysis): string[] {
  const failed = analysis.assessments.filter((check: QualityCheck) => !check.pass && check.gating);
  if (failed.length > 0) return failed.map((check) => check.message);
  if (analysis.faces.length === 0) return ['No face was found in the image.'];
  return ['The image did not pass the quality gates.'];
}

function closestOtherClass(embeddings: Float32Array[], gallery: readonly GalleryEntry[], classId: string): { classId: string; score: number; synced: boolean } | null {
  let best: { classId: string; score: number; synced: boolean } | null = null;
  for (const entry of gallery) {
    if (entry.classId === classId) continue;
    for (const embedding of embeddings) {
      const score = cosine(embedding, entry.embedding);
      if (!best || score > best.score) best = { classId: entry.classId, score, synced: entry.synced === true };
    }
  }
  return best;
}

/** Crops every image at the recommended size and shrinks them all until the request fits under the limit. */
async function cropWithinLimit(vision: VisionEngine, candidates: Array<{ source: SourceImage; analysis: StillAnalysis }>, limit: number): Promise<Buffer[]> {
  let maxWidth = PORTRAIT_MAX_WIDTH;
  for (let round = 0; round < 6; round += 1) {
    const pngs: Buffer[] = [];
    for (const candidate of candidates) pngs.push(await vision.portraitCrop(candidate.source.bytes, candidate.analysis, maxWidth));
    const total = pngs.reduce((sum, png) => sum + png.length, 0);
    if (total <= limit) return pngs;
    // PNG size scales roughly with the pixel count: shrink the width by the square root of the excess.
    maxWidth = Math.max(240, Math.floor(maxWidth * Math.sqrt(limit / total) * 0.95));
  }
  throw new StationError('NO_ACCEPTABLE_IMAGE', 'The images do not fit in one 50 MB BWS request even after downscaling; enroll fewer images at once.');
}

function summarize(analysis: StillAnalysis): AnalysisSummary {
  const face = analysis.primary === null ? undefined : analysis.faces[analysis.primary];
  return {
    width: analysis.width,
    height: analysis.height,
    faceCount: analysis.faces.length,
    interEyeDistance: face ? Math.hypot(face.leftEye.x - face.rightEye.x, face.leftEye.y - face.rightEye.y) : null,
    pose: face ? { yaw: face.pose.yaw, pitch: face.pose.pitch, roll: face.pose.roll } : null,
    liveness: face?.liveness ?? null,
    eyesOpen: face?.eyesOpen ?? null,
    failedChecks: analysis.assessments.filter((check) => !check.pass).map((check) => check.check),
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
