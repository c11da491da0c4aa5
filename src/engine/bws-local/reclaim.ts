import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Decoded pixels of one request from which the service collects garbage as soon as its analysis ends (a
 * 12 MP photo decodes to 36 MB of RGB; smaller requests leave V8 to its own schedule).
 */
export const RECLAIM_AFTER_PIXELS = 12_000_000;

let collector: (() => void) | null | undefined;

/**
 * V8's full collection. The decoded rasters live outside the JavaScript heap (sharp's buffers) and are freed
 * only when their small Buffer objects are collected; V8 counts them as external memory and collects when more
 * arrives, but once a burst is over nothing arrives, and the last rasters stayed resident until the idle-time
 * memory reducer ran (about 8 s later, 150 MB per 49 MP image). The flag is set only long enough to obtain the
 * function from a fresh context, so no other context gets a global `gc`.
 */
function fullCollection(): (() => void) | null {
  if (collector !== undefined) return collector;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (collector = exposed);
  try {
    v8.setFlagsFromString('--expose-gc');
    collector = vm.runInNewContext('gc') as () => void;
  } catch {
    collector = null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return collector;
}

/**
 * Gives the memory of a finished analysis back: one full collection (tens of milliseconds on the service's small
 * heap, measured 24-140 ms on a loaded 2-core machine, against a second or more of analysis for an image large
 * enough to ask for it). Where `gc` cannot be
 * had, V8's own schedule remains.
 */
export function reclaimMemory(): void {
  fullCollection()?.();
}
