import { status as GrpcStatus } from '@grpc/grpc-js';
import { StationError } from '../../shared/errors.js';
import { type CallMetadata, type FailureClass, emptyMetadata } from './types.js';

/**
 * THE classification of failed BWS calls, used by the sync engine, the CLI and `station doctor`.
 * It maps a gRPC status (or a failure before the call) to what the queue must do, following
 * decisions.md "Error class -> queue state":
 *   retryable   -> retry_wait with backoff (maxAttempts set: bounded, then needs_attention)
 *   ambiguous   -> the request may have been processed: reconcile with GetTemplateStatus before re-sending
 *   permanent   -> needs_attention (re-sending the same request cannot succeed)
 *   credentials -> pause the whole queue until an operator fixes credentials or settings
 *   wrong_host  -> pause: the endpoint is a BWS host without the face recognition service
 */
export interface FailureInfo {
  class: FailureClass;
  /** gRPC status name (UNAVAILABLE, ...) for call failures; the StationError code for local failures. */
  code: string;
  /** A sentence for the operator (no secrets, no biometric data). */
  message: string;
  /** Numeric gRPC status, or null when the call never reached gRPC. */
  grpcCode: number | null;
  /** For bounded retries (INTERNAL, UNKNOWN and unexpected local errors): attempts before needs_attention. */
  maxAttempts?: number;
  /** 'quota' asks for a longer backoff (RESOURCE_EXHAUSTED). */
  backoff?: 'normal' | 'quota';
}

/** Bounded retries for INTERNAL / UNKNOWN (decisions.md: up to 5 attempts, then needs_attention). */
export const BOUNDED_RETRY_ATTEMPTS = 5;

export const GRPC_CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => [value as number, name]),
);

export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? `CODE_${code}`;
}

/** A failed BWS call: the gRPC status plus the metadata that came with it (jobid, trailers). */
export class BwsCallError extends StationError {
  readonly grpcCode: number;
  readonly grpcCodeName: string;
  /** The status details text from the server or from grpc-js. */
  readonly grpcDetails: string;
  readonly method: string;
  readonly metadata: CallMetadata;

  constructor(method: string, grpcCode: number, grpcDetails: string, metadata: CallMetadata = emptyMetadata()) {
    const name = grpcCodeName(grpcCode);
    super(stationCodeFor(grpcCode), `${method} failed with ${name} (${grpcCode}): ${grpcDetails || 'no details'}`, { details: { grpcCode, grpcCodeName: name, method } });
    this.name = 'BwsCallError';
    this.grpcCode = grpcCode;
    this.grpcCodeName = name;
    this.grpcDetails = grpcDetails;
    this.method = method;
    this.metadata = metadata;
  }
}

/** The station's error code for a gRPC status (a number, or its name as FailureInfo.code carries it). */
export function stationCodeFor(code: number | string): string {
  if (typeof code === 'string') {
    const number = (GrpcStatus as unknown as Record<string, number | undefined>)[code];
    return typeof number === 'number' ? stationCodeFor(number) : code;
  }
  switch (code) {
    case GrpcStatus.UNAVAILABLE:
      return 'BWS_UNAVAILABLE';
    case GrpcStatus.DEADLINE_EXCEEDED:
      return 'BWS_DEADLINE';
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.PERMISSION_DENIED:
      return 'BWS_CREDENTIALS';
    case GrpcStatus.UNIMPLEMENTED:
      return 'BWS_WRONG_HOST';
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.NOT_FOUND:
    case GrpcStatus.FAILED_PRECONDITION:
      return 'BWS_REJECTED';
    default:
      return 'BWS_ERROR';
  }
}

/** Local (pre-send) error code: the request is larger than the service accepts. */
export const REQUEST_TOO_LARGE = 'BWS_REQUEST_TOO_LARGE';

/** Status details that mean the connection broke while the call was on the wire (after the request left). */
const LOST_AFTER_SENDING = /connection dropped|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|stream closed|GOAWAY|Received RST_STREAM/i;
/** Details that mean the service rejected the size of the message rather than a quota. */
const SIZE_REJECTION = /larger than max|too large|message size|max(imum)? (receive|request|message)/i;

/** Configuration problems found before any call: pause the queue and show the reason. */
const CONFIGURATION_CODES = new Set(['ENDPOINT_INVALID', 'ENDPOINT_INSECURE', 'NOT_CONFIGURED', 'KEY_INVALID', 'BWS_CREDENTIALS']);
const PERMANENT_LOCAL_CODES = new Set([REQUEST_TOO_LARGE, 'INVALID_CLASS_ID', 'USAGE', 'IMAGE_EMPTY']);

interface GrpcLike {
  code: number;
  details?: string;
  message?: string;
}

function asGrpcFailure(error: unknown): GrpcLike | null {
  if (error instanceof BwsCallError) return { code: error.grpcCode, details: error.grpcDetails };
  if (typeof error === 'object' && error !== null && typeof (error as GrpcLike).code === 'number' && ('details' in error || 'metadata' in error)) {
    const failure = error as GrpcLike;
    return { code: failure.code, details: failure.details ?? failure.message ?? '' };
  }
  return null;
}

export function classifyFailure(error: unknown): FailureInfo {
  const grpcFailure = asGrpcFailure(error);
  if (grpcFailure) return classifyGrpc(grpcFailure.code, grpcFailure.details ?? '');
  if (error instanceof StationError) {
    if (CONFIGURATION_CODES.has(String(error.code))) return { class: 'credentials', code: String(error.code), message: error.message, grpcCode: null };
    if (PERMANENT_LOCAL_CODES.has(String(error.code))) return { class: 'permanent', code: String(error.code), message: error.message, grpcCode: null };
    return { class: 'retryable', code: String(error.code), message: error.message, grpcCode: null, maxAttempts: BOUNDED_RETRY_ATTEMPTS, backoff: 'normal' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { class: 'retryable', code: 'INTERNAL', message: `Unexpected failure while calling BWS: ${message}`, grpcCode: null, maxAttempts: BOUNDED_RETRY_ATTEMPTS, backoff: 'normal' };
}

/** grpc-js wraps socket errors in resolver boilerplate; keep the part a person can act on. */
export function tidyGrpcDetails(details: string): string {
  return details
    .replace(/No connection established\.\s*Last error:\s*(Error:\s*)?/i, '')
    .replace(/\.?\s*Resolution note:\s*\)?\s*$/i, '')
    .replace(/\.?\s*Resolution note:\s*/i, '; ')
    .trim();
}

function classifyGrpc(code: number, rawDetails: string): FailureInfo {
  const name = grpcCodeName(code);
  const details = tidyGrpcDetails(rawDetails);
  const said = details ? ` (${details})` : '';
  const info = (cls: FailureClass, message: string, extra: Partial<FailureInfo> = {}): FailureInfo => ({ class: cls, code: name, message, grpcCode: code, ...extra });
  switch (code) {
    case GrpcStatus.UNAVAILABLE:
      // "No connection established": the socket never opened, so nothing was sent, whatever the socket error.
      if (LOST_AFTER_SENDING.test(details) && !/No connection established/i.test(rawDetails)) {
        return info('ambiguous', `The connection to BWS was lost after the request was sent${said}: the enrollment may or may not have been stored. The template status is checked before anything is re-sent.`);
      }
      return info('retryable', `The BWS service cannot be reached${said}. The job waits and is retried.`, { backoff: 'normal' });
    case GrpcStatus.CANCELLED:
      // The client's own refusal before the call started: nothing left the station (see sync/DESIGN.md).
      if (/cancelled on client before sending/i.test(details)) {
        return info('retryable', `The station cancelled the call before sending it${said}: nothing reached BWS. The job waits and is retried.`, { backoff: 'normal' });
      }
      // grpc-js says "Cancelled on client" whether or not the request was already written: assume it was.
      if (/cancelled on client/i.test(details)) {
        return info('ambiguous', `The call was cancelled by the station after it may have been sent${said}: the template status is checked before anything is re-sent.`);
      }
      return info('retryable', `BWS cancelled the call${said}. The job waits and is retried.`, { backoff: 'normal' });
    case GrpcStatus.RESOURCE_EXHAUSTED:
      if (SIZE_REJECTION.test(details)) {
        return info('permanent', `BWS refused the request as too large${said}. The station checks the 50 MB limit before sending, so the service limit may have changed: send fewer or smaller images.`);
      }
      return info('retryable', `BWS reports a quota or capacity limit${said}. The job waits longer before it is retried.`, { backoff: 'quota' });
    case GrpcStatus.INTERNAL:
    case GrpcStatus.UNKNOWN:
      if (LOST_AFTER_SENDING.test(details) && /Received RST_STREAM|ECONNRESET/i.test(details)) {
        return info('ambiguous', `The BWS stream ended abnormally after the request was sent${said}: the template status is checked before anything is re-sent.`);
      }
      return info('retryable', `BWS reported an internal error${said}. The job is retried up to ${BOUNDED_RETRY_ATTEMPTS} times, then needs attention.`, { maxAttempts: BOUNDED_RETRY_ATTEMPTS, backoff: 'normal' });
    case GrpcStatus.DEADLINE_EXCEEDED:
      if (/Waiting for LB pick/i.test(details)) {
        return info('retryable', `No connection to BWS could be made before the deadline${said}; nothing was sent. The job waits and is retried.`, { backoff: 'normal' });
      }
      return info('ambiguous', `BWS did not answer before the deadline${said}: the enrollment may or may not have been stored. The template status is checked before anything is re-sent.`);
    case GrpcStatus.UNAUTHENTICATED:
      return info('credentials', `BWS rejected the credentials${said}: check the client id and key (from the BWS portal) and the computer's clock. Sync is paused until they are fixed.`);
    case GrpcStatus.PERMISSION_DENIED:
      return info('credentials', `BWS denied permission${said}: this client may not use the face recognition service or this storage. Sync is paused until an operator fixes the client configuration.`);
    case GrpcStatus.UNIMPLEMENTED:
      return info('wrong_host', `Wrong host: this endpoint does not offer face recognition${said}. Use face.<location>.bioid.com, not grpc.<location>.bioid.com (that host serves liveness and PhotoVerify). Sync is paused.`);
    case GrpcStatus.INVALID_ARGUMENT:
      return info('permanent', `BWS rejected the request as invalid${said}. Check the class id (1 .. 9223372036854775807) and the images.`);
    case GrpcStatus.NOT_FOUND:
      return info('permanent', `BWS has no template for this class id${said}.`);
    case GrpcStatus.FAILED_PRECONDITION:
      return info('permanent', `BWS refused the request in the template's current state${said}.`);
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.OUT_OF_RANGE:
      return info('permanent', `BWS rejected the request${said}.`);
    case GrpcStatus.ABORTED:
      return info('retryable', `BWS aborted the call${said}. The job is retried.`, { maxAttempts: BOUNDED_RETRY_ATTEMPTS, backoff: 'normal' });
    default:
      return info('retryable', `BWS answered ${name}${said}. The job is retried a bounded number of times.`, { maxAttempts: BOUNDED_RETRY_ATTEMPTS, backoff: 'normal' });
  }
}

/** Job errors of an OK response in words (for needs_attention after ENROLLMENT_FAILED). */
export function describeJobErrors(errors: ReadonlyArray<{ error_code: string; message: string }>): string {
  if (errors.length === 0) return 'BWS could not use any of the images (no reason given).';
  const counts = new Map<string, { count: number; message: string }>();
  for (const error of errors) {
    const entry = counts.get(error.error_code) ?? { count: 0, message: error.message };
    entry.count += 1;
    counts.set(error.error_code, entry);
  }
  const words: Record<string, string> = {
    FaceNotFound: 'no usable face was found',
    MultipleFacesFound: 'more than one face was found',
    ThumbnailExtractionFailed: 'the face thumbnail could not be extracted',
    RejectedByPassiveLiveDetection: 'the image was rejected by the liveness check',
  };
  return [...counts.entries()]
    .map(([code, { count, message }]) => `${count} image${count === 1 ? '' : 's'}: ${words[code] ?? message ?? code} [${code}]`)
    .join('; ');
}
