import { type Affine, type Point, invert, similarity } from './geometry.js';
import { takeFloats } from './float-pool.js';
import type { Raster } from './raster.js';

/** ArcFace's 112x112 five-point template (eyes, nose tip, mouth corners; image-left first). */
export const ARCFACE_TEMPLATE: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];
export const ALIGNED_SIZE = 112;

/**
 * Warps the face onto the template with the least-squares similarity of its five points. When the face is
 * much larger than 112 px, each output pixel averages a grid of bilinear samples (a box pre-filter) instead
 * of reading a single one, which would alias. Returns interleaved RGB floats.
 */
export function alignFace(image: Raster, five: readonly Point[], size = ALIGNED_SIZE): Float32Array {
  const toTemplate = similarity(five, ARCFACE_TEMPLATE);
  const back: Affine = invert(toTemplate);
  const scale = Math.hypot(back[0], back[3]);
  const k = Math.max(1, Math.min(6, Math.round(scale)));
  const out = takeFloats(size * size * 3);
  const { data, width, height, channels } = image;
  const inv = 1 / (k * k);
  let o = 0;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < k; j++) {
        const vv = v + (j + 0.5) / k - 0.5;
        for (let i = 0; i < k; i++) {
          const uu = u + (i + 0.5) / k - 0.5;
          // Bilinear read (inlined: this loop runs up to 36 times per output pixel); outside reads black.
          const fx = back[0] * uu + back[1] * vv + back[2];
          const fy = back[3] * uu + back[4] * vv + back[5];
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const ax = fx - x0;
          const ay = fy - y0;
          let sr = 0, sg = 0, sb = 0;
          for (let jj = 0; jj < 2; jj++) {
            const yy = y0 + jj;
            if (yy < 0 || yy >= height) continue;
            const wy = jj === 0 ? 1 - ay : ay;
            for (let ii = 0; ii < 2; ii++) {
              const xx = x0 + ii;
              if (xx < 0 || xx >= width) continue;
              const w = wy * (ii === 0 ? 1 - ax : ax);
              const p = (yy * width + xx) * channels;
              sr += w * data[p]!;
              sg += w * data[p + 1]!;
              sb += w * data[p + 2]!;
            }
          }
          // Rounded to float32 like the stored samples they replace, so results stay the same.
          r += Math.fround(sr); g += Math.fround(sg); b += Math.fround(sb);
        }
      }
      out[o++] = r * inv; out[o++] = g * inv; out[o++] = b * inv;
    }
  }
  return out;
}
