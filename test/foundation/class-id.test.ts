import { describe, expect, it } from 'vitest';
import { MAX_CLASS_ID, checkClassId, describeClassIdInput, parseClassId, readClassId } from '../../src/shared/class-id.js';
import { classIdInputSchema, classIdSchema, enrollRequestSchema } from '../../src/shared/schemas.js';
import { StationError } from '../../src/shared/errors.js';

describe('class ids: one rule everywhere', () => {
  it('accepts 1 .. 2^63-1 and keeps the exact decimal text', () => {
    expect(parseClassId('1')).toBe('1');
    expect(parseClassId('9223372036854775807')).toBe('9223372036854775807');
    expect(BigInt(parseClassId(MAX_CLASS_ID))).toBe(MAX_CLASS_ID);
  });

  it('trims surrounding whitespace without calling it a normalisation', () => {
    expect(readClassId(' 42\t')).toEqual({ classId: '42', given: '42', normalised: false });
  });

  it('accepts leading zeros, drops them and says so', () => {
    expect(readClassId('00042')).toEqual({ classId: '42', given: '00042', normalised: true });
    expect(readClassId('09223372036854775807').classId).toBe('9223372036854775807');
    expect(describeClassIdInput('42', ['00042'])).toBe('00042 -> class 42');
    expect(describeClassIdInput('42', ['42'])).toBeNull();
    expect(describeClassIdInput('42', ['42', '0042', '42'])).toBe('0042, 42 -> class 42 (one class)');
  });

  it.each(['12a', '0', '000', '-5', '1e3', '12345678901234567890', '9223372036854775808', '', ' ', '3.0', '+4', '0x10', '1 000', '1,000', '\u0664\u0662'])(
    'rejects %j with a coded error',
    (input) => {
      let caught: unknown;
      try {
        parseClassId(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(StationError);
      expect((caught as StationError).code).toBe('INVALID_CLASS_ID');
      expect((caught as StationError).message).toMatch(/class id/i);
      expect(checkClassId(input)).toEqual({ ok: false, error: { code: 'INVALID_CLASS_ID', message: (caught as StationError).message } });
    },
  );

  it('output schema takes canonical ids only; the input schema applies the rule and gives the canonical id', () => {
    expect(classIdSchema.safeParse('9223372036854775807').success).toBe(true);
    expect(classIdSchema.safeParse('9223372036854775808').success).toBe(false);
    expect(classIdSchema.safeParse('0').success).toBe(false);
    expect(classIdSchema.safeParse('01').success).toBe(false);
    expect(classIdInputSchema.parse(' 00042 ')).toBe('42');
    expect(classIdInputSchema.safeParse('9223372036854775808').success).toBe(false);
    expect(classIdInputSchema.safeParse('4a').error?.issues[0]?.message).toMatch(/"4a" is not a class id/);
  });

  it('the app\'s enroll request accepts a padded badge code, as the CLI does', () => {
    const request = enrollRequestSchema.parse({ classId: '00042', images: [{ name: 'a.jpg', bytes: new Uint8Array([1]) }] });
    expect(request.classId).toBe('42');
  });
});
