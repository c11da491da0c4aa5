import * as grpc from '@grpc/grpc-js';
import sharp from 'sharp';
import { GrpcFailure } from './auth.js';
import { DEFAULT_MAX_CONCURRENT_ANALYSES, DEFAULT_MAX_QUEUED_ANALYSES } from './serve-limits.js';

/**
 * A counting semaphore with a bounded wait queue for the service's image analyses. Bounding them bounds the
 * memory of a burst (decoded rasters are what costs), and a full queue is refused at once rather than held.
 */
export class AnalysisGate {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly maxConcurrent = DEFAULT_MAX_CONCURRENT_ANALYSES,
    readonly maxQueued = DEFAULT_MAX_QUEUED_ANALYSES,
  ) {}

  /**
   * Runs `work` when a slot is free. `release` runs when it ends, before the slot passes to the next request,
   * so what the work left behind can be given back before the next analysis allocates.
   */
  async run<T>(work: () => Promise<T>, release?: () => void): Promise<T> {
    if (this.#active >= this.maxConcurrent) {
      if (this.#waiting.length >= this.maxQueued) {
        throw new GrpcFailure(grpc.status.RESOURCE_EXHAUSTED, `The service is busy: ${this.#active} image analyses are running and ${this.#waiting.length} requests are waiting. Retry in a moment.`);
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await work();
    } finally {
      release?.();
      // Hand the slot straight to the next waiter (active stays counted), or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}

/**
 * Refuses a request whose images together declare more than `maxPixels` pixels, from their headers only (sharp
 * reads width and height without decoding). Unreadable images count 0 here; the analysis reports them.
 * Returns the pixels declared.
 */
export async function checkRequestPixels(images: ReadonlyArray<{ image: Uint8Array }>, maxPixels: number): Promise<number> {
  let total = 0;
  for (const { image } of images) {
    if (image.length === 0) continue;
    try {
      const meta = await sharp(image, { limitInputPixels: false }).metadata();
      total += (meta.width ?? 0) * (meta.height ?? 0);
    } catch {
      continue;
    }
  }
  if (total > maxPixels) {
    throw new GrpcFailure(grpc.status.INVALID_ARGUMENT, `The request's ${images.length} image(s) declare ${(total / 1e6).toFixed(1)} MP together; the service analyses at most ${(maxPixels / 1e6).toFixed(1)} MP per request. Send fewer or smaller images (1200x1600 is plenty for a face).`);
  }
  return total;
}
