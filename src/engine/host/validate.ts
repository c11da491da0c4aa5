import { REQUEST_ARGUMENT_SCHEMAS, REQUEST_METHODS, type RequestMethod } from '../../shared/contract.js';
import { StationError, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';

/**
 * Checks one request against the contract: the method must be a request method and the arguments must match
 * its schema. Used twice on the way in (Electron main at the IPC boundary, the engine at its own port), so a
 * bad payload is stopped before it reaches any engine code. Returns the parsed arguments (defaults applied).
 */
export function validateRequest(method: unknown, args: unknown): { method: RequestMethod; args: unknown[] } {
  if (typeof method !== 'string' || !(REQUEST_METHODS as readonly string[]).includes(method)) {
    throw new StationError('INVALID_REQUEST', `Unknown station request "${String(method).slice(0, 40)}".`);
  }
  const known = method as RequestMethod;
  let parsed: ReturnType<(typeof REQUEST_ARGUMENT_SCHEMAS)[RequestMethod]['safeParse']>;
  try {
    parsed = REQUEST_ARGUMENT_SCHEMAS[known].safeParse(args);
  } catch {
    // A schema refinement that throws on hostile input is still a refusal, not an engine failure.
    throw new StationError('INVALID_REQUEST', `The ${known} request was refused: its arguments could not be checked.`);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : '';
    const onClassId = issue?.path.some((part) => part === 'classId') ?? false;
    throw new StationError(
      onClassId ? 'INVALID_CLASS_ID' : 'INVALID_REQUEST',
      `The ${known} request was refused: ${issue?.message ?? 'arguments do not match the contract'}${where}.`,
    );
  }
  return { method: known, args: parsed.data };
}

/** Errors leave a process as plain `{code, message}` values: no stack, no class, nothing that could leak. */
export function errorValue(error: unknown): ErrorInfo {
  const info = toErrorInfo(error);
  return { code: String(info.code), message: String(info.message) };
}

export function isErrorValue(value: unknown): value is ErrorInfo {
  return typeof value === 'object' && value !== null && typeof (value as ErrorInfo).code === 'string' && typeof (value as ErrorInfo).message === 'string';
}
