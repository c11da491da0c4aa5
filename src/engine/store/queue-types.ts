import type { ErrorInfoDto, JobState, JobSummary } from '../../shared/schemas.js';

/** One image handed to `enqueue`: the encoded bytes to send plus what the analysis found. */
export interface EnqueueImage {
  name: string;
  bytes: Uint8Array;
  /** sha256 (hex) of the source file, so a re-import skips it; null for camera stills. */
  sourceSha256?: string | null;
  /** The analysis summary of this image (JSON-serialisable; no embeddings: those go in `embeddings`). */
  analysis?: unknown;
}

export interface EnqueueInput {
  classId: string;
  images: EnqueueImage[];
  /** Face embeddings of the job's images, kept for the duplicate-face check. */
  embeddings?: Float32Array[];
  note?: string | null;
}

/** The class's template status as seen on the service (the part reconcile compares). */
export interface TemplateSnapshot {
  available: boolean;
  featureVectors: number;
  /** ISO time the template was last generated, or null. */
  enrolled: string | null;
}

/** Everything the sync engine needs to know about a job (no image bytes). */
export interface JobRecord extends JobSummary {
  seq: number;
  reference: string | null;
  before: TemplateSnapshot | null;
  /** When `before` was read from the service (ms). */
  beforeAt: number | null;
  sentAt: number | null;
  sendDeadlineMs: number | null;
}

/** A job the scheduler may start, as its pick walk reads it (the whole record is read only for jobs acted on). */
export interface JobPick {
  id: string;
  classId: string;
  state: JobState;
}

export interface Receipt {
  jobId: string;
  classId: string;
  serverJobId: string | null;
  performedAction: string | null;
  reference: string | null;
  queuedAt: string;
  syncedAt: string;
  imageCount: number;
  imageSha256: string[];
  note: string | null;
}

export interface GalleryEntry {
  jobId: string;
  classId: string;
  synced: boolean;
  embedding: Float32Array;
}

export type JobCounts = Record<JobState, number>;

export type JobError = ErrorInfoDto;
