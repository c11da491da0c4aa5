import { StationError } from './errors.js';

/**
 * BWS class ids are int64 values 1 .. 2^63-1. They travel as decimal strings everywhere in the station
 * (database, IPC, JSON, gRPC with `longs: String`) so that no value ever passes through a JS number,
 * which would silently round anything above 2^53.
 */
export const MAX_CLASS_ID = 9223372036854775807n;

/** Validates a class id given as text; returns its canonical decimal form (no leading zeros). */
export function parseClassId(input: string | number | bigint): string {
  const text = typeof input === 'string' ? input.trim() : String(input);
  if (!/^[0-9]+$/.test(text)) {
    throw new StationError(
      'INVALID_CLASS_ID',
      `"${truncate(text)}" is not a class id: use digits only, from 1 to ${MAX_CLASS_ID}.`,
    );
  }
  if (text.length > 19 && /[1-9]/.test(text.slice(0, text.length - 19))) {
    throw new StationError('INVALID_CLASS_ID', `Class id ${truncate(text)} is too large: the largest is ${MAX_CLASS_ID}.`);
  }
  const value = BigInt(text);
  if (value < 1n) throw new StationError('INVALID_CLASS_ID', 'Class id must be at least 1.');
  if (value > MAX_CLASS_ID) {
    throw new StationError('INVALID_CLASS_ID', `Class id ${truncate(text)} is too large: the largest is ${MAX_CLASS_ID}.`);
  }
  return value.toString();
}

export function isValidClassId(input: string): boolean {
  try {
    parseClassId(input);
    return true;
  } catch {
    return false;
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
