import { StationError, type ErrorInfo } from './errors.js';

/**
 * The one class-id rule of the station, used by every entry point (CLI arguments, import folder names, CSV
 * rows, the app's class id field, a barcode scanner typing into it):
 *
 *  - surrounding whitespace is trimmed;
 *  - then ASCII digits only: no sign, no exponent, no separators;
 *  - leading zeros are accepted and dropped ("00042" is class 42), because badge and barcode codes are often
 *    padded; where that happens the output says so (see `describeClassIdInput`);
 *  - the value must be 1 .. 9223372036854775807 (BWS class ids are int64).
 *
 * Class ids travel as decimal strings everywhere in the station (database, IPC, JSON, gRPC with
 * `longs: String`) so that no value ever passes through a JS number, which would round anything above 2^53.
 */
export const MAX_CLASS_ID = 9223372036854775807n;

/** A class id as read from some input: its canonical form and what was given. */
export interface ClassIdReading {
  /** Canonical decimal form: no leading zeros, no whitespace. */
  classId: string;
  /** The input as given, trimmed. */
  given: string;
  /** True when the given digits were not already canonical (leading zeros dropped). */
  normalised: boolean;
}

/** Reads a class id under the rule above; throws INVALID_CLASS_ID with a sentence a person can act on. */
export function readClassId(input: string | number | bigint): ClassIdReading {
  const given = typeof input === 'string' ? input.trim() : String(input);
  if (!/^[0-9]+$/.test(given)) {
    const shown = given === '' ? 'An empty value' : `"${truncate(given)}"`;
    throw new StationError('INVALID_CLASS_ID', `${shown} is not a class id: use digits only, from 1 to ${MAX_CLASS_ID}.`);
  }
  const digits = given.replace(/^0+/, '');
  if (digits === '') throw new StationError('INVALID_CLASS_ID', `"${truncate(given)}" is 0, which is not a class id: class ids start at 1.`);
  if (digits.length > 19 || BigInt(digits) > MAX_CLASS_ID) {
    throw new StationError('INVALID_CLASS_ID', `Class id ${truncate(given)} is too large: the largest is ${MAX_CLASS_ID}.`);
  }
  return { classId: digits, given, normalised: digits !== given };
}

/** Validates a class id given as text; returns its canonical decimal form. */
export function parseClassId(input: string | number | bigint): string {
  return readClassId(input).classId;
}

/** The same rule without exceptions, for input fields that show the problem as the person types. */
export function checkClassId(input: string): { ok: true; reading: ClassIdReading } | { ok: false; error: ErrorInfo } {
  try {
    return { ok: true, reading: readClassId(input) };
  } catch (error) {
    return { ok: false, error: (error as StationError).toJSON() };
  }
}

export function isValidClassId(input: string): boolean {
  return checkClassId(input).ok;
}

/** True for the canonical form only (what the station stores and prints): no whitespace, no leading zeros. */
export function isCanonicalClassId(input: string): boolean {
  const result = checkClassId(input);
  return result.ok && result.reading.classId === input;
}

/**
 * What to tell a person whose input was normalised, or null when there is nothing to say. Several inputs that
 * name the same class (folder "42" and folder "0042" in one import) are reported as one class.
 * Examples: `00042 -> class 42`, `0042, 42 -> class 42 (one class)`.
 */
export function describeClassIdInput(classId: string, givenForms: readonly string[]): string | null {
  const forms = [...new Set(givenForms)].sort();
  if (forms.length <= 1 && (forms[0] === undefined || forms[0] === classId)) return null;
  return `${forms.join(', ')} -> class ${classId}${forms.length > 1 ? ' (one class)' : ''}`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
