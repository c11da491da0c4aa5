import { describe, expect, it } from 'vitest';
import { MAX_CLASS_ID, parseClassId } from '../../src/shared/class-id.js';
import { classIdSchema } from '../../src/shared/schemas.js';
import { StationError } from '../../src/shared/errors.js';

describe('class ids', () => {
  it('accepts 1 .. 2^63-1 and keeps the exact decimal text', () => {
    expect(parseClassId('1')).toBe('1');
    expect(parseClassId('9223372036854775807')).toBe('9223372036854775807');
    expect(parseClassId(' 42 ')).toBe('42');
    expect(parseClassId('0007')).toBe('7');
    expect(BigInt(parseClassId(MAX_CLASS_ID))).toBe(MAX_CLASS_ID);
  });

  it.each(['12a', '0', '-5', '1e3', '12345678901234567890', '9223372036854775808', '', ' ', '3.0', '+4', '0x10'])('rejects %j with a coded error', (input) => {
    let caught: unknown;
    try {
      parseClassId(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StationError);
    expect((caught as StationError).code).toBe('INVALID_CLASS_ID');
    expect((caught as StationError).message.length).toBeGreaterThan(10);
  });

  it('has a schema that agrees with the parser at the edges', () => {
    expect(classIdSchema.safeParse('9223372036854775807').success).toBe(true);
    expect(classIdSchema.safeParse('9223372036854775808').success).toBe(false);
    expect(classIdSchema.safeParse('0').success).toBe(false);
    expect(classIdSchema.safeParse('01').success).toBe(false);
  });
});
