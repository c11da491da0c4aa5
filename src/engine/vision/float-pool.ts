/**
 * Reused Float32Arrays for model inputs and crop intermediates. A fresh array of a few hundred KB costs more
 * than the work done in it on machines where first-touch page faults are slow (measured here: about 3 ms per
 * MB, so the pose crop alone paid ~4 ms per image). Arrays are kept per length, a few of each.
 * Rule: give back only an array nothing else will read again (model inputs come back from the worker).
 */
const MAX_PER_LENGTH = 12;
const free = new Map<number, Float32Array[]>();

export function takeFloats(length: number): Float32Array {
  return free.get(length)?.pop() ?? new Float32Array(length);
}

export function giveFloats(array: Float32Array): void {
  if (array.byteOffset !== 0 || array.byteLength !== array.buffer.byteLength || array.byteLength === 0) return;
  let list = free.get(array.length);
  if (!list) {
    list = [];
    free.set(array.length, list);
  }
  if (list.length < MAX_PER_LENGTH) list.push(array);
}
