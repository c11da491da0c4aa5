import type { Point } from './geometry.js';
import { giveFloats } from './float-pool.js';
import { type Raster, clipRect, sampleRectGray } from './raster.js';

/**
 * Face-region image measures for sharpness, exposure, dynamic range and illumination uniformity. They are
 * taken on the inner face (jaw width, brows to chin) resampled to a fixed 128x128 gray patch, so the values
 * do not depend on the photo's resolution and a background does not dilute them.
 */
const SIZE = 128;

export interface Photometry {
  /**
   * Variance of the 4-neighbour Laplacian over the variance of the luminance, x100, on the patch: edge
   * energy relative to contrast, so darkening or flattening the light does not read as blur.
   */
  sharpness: number;
  /** Mean luminance, 0..1. */
  luminanceMean: number;
  /** Fraction of patch pixels at 0..25 and at 247..255. */
  underExposed: number;
  overExposed: number;
  /** Shannon entropy of the 256-bin luminance histogram, bits. */
  dynamicRange: number;
  /** Histogram intersection of the left and right face halves (1 = same distribution). */
  illuminationUniformity: number;
}

export function faceRegion(points: readonly Point[]): { x: number; y: number; w: number; h: number } {
  let x1 = Infinity, x2 = -Infinity, y1 = Infinity;
  for (let i = 0; i <= 16; i++) {
    x1 = Math.min(x1, points[i]!.x);
    x2 = Math.max(x2, points[i]!.x);
  }
  for (let i = 17; i <= 26; i++) y1 = Math.min(y1, points[i]!.y);
  const y2 = points[8]!.y;
  // Keep clear of the jaw outline: it often borders background or hair.
  const inset = (x2 - x1) * 0.08;
  return { x: x1 + inset, y: y1, w: Math.max(1, x2 - x1 - 2 * inset), h: Math.max(1, y2 - y1) };
}

/** The inner face region resampled to a size x size gray patch (from the float pool: give it back after use). */
function facePatch(image: Raster, points: readonly Point[], size: number): { gray: Float32Array; region: { x: number; y: number; w: number; h: number } } {
  const region = clipRect(faceRegion(points), image.width, image.height);
  return { gray: sampleRectGray(image, region, size, size), region };
}

export function measureFace(image: Raster, points: readonly Point[]): Photometry {
  const { gray, region } = facePatch(image, points, SIZE);
  // Where the nose line falls inside the patch splits the face into halves (follows turned faces).
  const noseX = (points.slice(27, 31).reduce((s, p) => s + p.x, 0) / 4 - region.x) / region.w;
  const split = Math.round(Math.min(0.8, Math.max(0.2, noseX)) * SIZE);
  const measures = {
    sharpness: laplacianVariance(gray, SIZE),
    ...exposure(gray),
    illuminationUniformity: halvesOverlap(gray, SIZE, split),
  };
  giveFloats(gray);
  return measures;
}

/** Side of the small patch faceDetail reads: enough samples for a stable histogram, cheap on every frame. */
const DETAIL_SIZE = 64;

/**
 * How much detail the inner face region holds: the entropy (bits) of its luminance histogram on a 64x64
 * patch. Eyes, brows, nostrils and lips give any real face several bits, even badly lit (the shared photos,
 * darkened to 22 % or washed out to a mean of 0.96, keep at least 2.9); a flat drawn shape the detector
 * mistakes for a face (Chromium's fake-camera test pattern: a plain disc on a plain background, 0.5-0.75
 * bits) has almost none.
 */
export function faceDetail(image: Raster, points: readonly Point[]): number {
  const { gray } = facePatch(image, points, DETAIL_SIZE);
  const bits = exposure(gray).dynamicRange;
  giveFloats(gray);
  return bits;
}

function laplacianVariance(gray: Float32Array, size: number): number {
  let sum = 0, sum2 = 0, n = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const l = gray[i - 1]! + gray[i + 1]! + gray[i - size]! + gray[i + size]! - 4 * gray[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  const mean = sum / n;
  const lapVar = sum2 / n - mean * mean;
  let g1 = 0, g2 = 0;
  for (const g of gray) {
    g1 += g;
    g2 += g * g;
  }
  const gMean = g1 / gray.length;
  // Floor the contrast term so a flat grey patch does not divide by ~0.
  const grayVar = Math.max(25, g2 / gray.length - gMean * gMean);
  return (100 * lapVar) / grayVar;
}

function exposure(gray: Float32Array): Pick<Photometry, 'luminanceMean' | 'underExposed' | 'overExposed' | 'dynamicRange'> {
  const hist = new Float64Array(256);
  let sum = 0, under = 0, over = 0;
  for (const g of gray) {
    const v = Math.min(255, Math.max(0, Math.round(g)));
    hist[v]!++;
    sum += v;
    if (v <= 25) under++;
    if (v >= 247) over++;
  }
  const n = gray.length;
  let entropy = 0;
  for (const count of hist) {
    if (count > 0) {
      const p = count / n;
      entropy -= p * Math.log2(p);
    }
  }
  return { luminanceMean: sum / n / 255, underExposed: under / n, overExposed: over / n, dynamicRange: entropy };
}

/** Intersection of the two halves' 32-bin normalised histograms. */
function halvesOverlap(gray: Float32Array, size: number, split: number): number {
  const left = new Float64Array(32);
  const right = new Float64Array(32);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const bin = Math.min(31, Math.max(0, Math.floor(gray[y * size + x]! / 8)));
      if (x < split) left[bin]!++;
      else right[bin]!++;
    }
  }
  const nl = split * size;
  const nr = (size - split) * size;
  let overlap = 0;
  for (let i = 0; i < 32; i++) overlap += Math.min(left[i]! / nl, right[i]! / nr);
  return overlap;
}
