import { redactUrlCredentials } from './redact.js';

/**
 * Errors are values with a stable code and a sentence a person can act on.
 * Every boundary (CLI, IPC, gRPC service) turns failures into this shape; stack traces stay internal.
 * Codes are grouped by area so an operator (or a script) can tell at a glance where a problem lies.
 */
export const ERROR_CODES = [
  // input and usage
  'USAGE',
  'INVALID_CLASS_ID',
  // images
  'IMAGE_EMPTY',
  'IMAGE_TOO_LARGE_FILE',
  'IMAGE_TOO_MANY_PIXELS',
  'IMAGE_TOO_SMALL',
  'IMAGE_UNREADABLE',
  'IMAGE_NOT_FOUND',
  'IMAGE_NOT_A_FILE',
  'DUPLICATE_FILE',
  // models
  'MODEL_MISSING',
  'MODEL_CHECKSUM',
  'MODEL_MANIFEST',
  // storage and keys
  'KEY_MISSING',
  'KEY_WRONG',
  'KEY_INVALID',
  'KEY_MODE_MISMATCH',
  'KEYSTORE_UNAVAILABLE',
  'DB_CORRUPT',
  'QUEUE_MISSING',
  'FOLDER_INFO_MISSING',
  'DB_LOCKED',
  'DISK_FULL',
  'DATA_DIR',
  'SYNC_LOCKED',
  // enrollment
  'NO_ACCEPTABLE_IMAGE',
  'DIFFERENT_PEOPLE',
  'DUPLICATE_FACE',
  'JOB_NOT_FOUND',
  'IMPORT_SOURCE_NOT_FOUND',
  'IMPORT_EMPTY',
  // network and BWS
  'ENDPOINT_INVALID',
  'ENDPOINT_INSECURE',
  'NOT_CONFIGURED',
  'BWS_UNAVAILABLE',
  'BWS_DEADLINE',
  'BWS_CREDENTIALS',
  'BWS_WRONG_HOST',
  'BWS_REJECTED',
  'BWS_ERROR',
  // the app shell and its engine process
  'INVALID_REQUEST',
  'UNTRUSTED_SENDER',
  'ENGINE_UNAVAILABLE',
  'ENGINE_RESTARTING',
  'ENGINE_RESTARTED',
  'ENGINE_STOPPED',
  // administrator PIN and protected settings
  'PIN_REQUIRED',
  'PIN_WRONG',
  'PIN_LOCKED',
  'SETTING_LOCKED',
  'SITE_LOCKED',
  'SITE_FILE_INVALID',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode | string;
  message: string;
}

export class StationError extends Error {
  readonly code: ErrorCode | string;
  /** Extra machine-readable facts (never secrets, never biometric data). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode | string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    // A message may quote an endpoint as given: never with its password.
    super(redactUrlCredentials(message), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'StationError';
    this.code = code;
    this.details = options?.details;
  }

  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into the `{code, message}` shape shown to people and scripts. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof StationError) return error.toJSON();
  if (error instanceof Error) return { code: 'INTERNAL', message: redactUrlCredentials(error.message) };
  return { code: 'INTERNAL', message: redactUrlCredentials(String(error)) };
}
