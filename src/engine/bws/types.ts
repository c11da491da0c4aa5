/**
 * The BWS 3 client's surface as the sync engine and the CLI see it. Class ids are decimal strings
 * (int64 never passes through a JS number). Every call returns the response together with the call metadata.
 */
export interface CallMetadata {
  jobId: string | null;
  bwsVersion: string | null;
  referenceNumber: string | null;
  date: string | null;
  responseTimeMs: number | null;
  /** Every response header as received (first value of each key; binary headers as base64). */
  headers: Record<string, string>;
  /** Every trailer as received (first value of each key). */
  trailers: Record<string, string>;
}

export interface CallOptions {
  /** Reference-Number header (station id + local job id + attempt). */
  reference?: string;
  /** Overrides the default deadline (ms). */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface CallResult<T> {
  response: T;
  metadata: CallMetadata;
}

/** How a failed call must be treated (one classification used by everyone). */
export type FailureClass = 'retryable' | 'ambiguous' | 'permanent' | 'credentials' | 'wrong_host';

export function emptyMetadata(): CallMetadata {
  return { jobId: null, bwsVersion: null, referenceNumber: null, date: null, responseTimeMs: null, headers: {}, trailers: {} };
}
