import { ERROR_CODES, type ErrorCode } from '../../shared/errors.js';

/**
 * The catalog id of an error code's operator sentence. The engine's own message stays English (it is also
 * logged and printed by the CLI); the UI shows this translated sentence and keeps the engine's words and the
 * code behind "Details". Codes outside ERROR_CODES (e.g. from the IPC layer) get the general sentence.
 * This is the one place an id is built at run time; the catalog test checks every ERROR_CODES entry has one.
 */
export function errorMessageId(code: string): string {
  return (ERROR_CODES as readonly string[]).includes(code) ? `errors.code.${code as ErrorCode}` : 'errors.unknown';
}
