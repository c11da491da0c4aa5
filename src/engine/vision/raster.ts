/**
 * Pixel helpers shared by every model's preprocessing: one interleaved 8-bit raster type (RGB stills or RGBA
 * camera frames, so live frames need no conversion) and a resampler that cuts a rectangle out of it.
 * Downscaling averages a grid of samples per output pixel (a cheap box filter) so small model inputs taken
 * from large photos do not alias; upscaling is bilinear.
 */
import { giveFloats, takeFloats } from './float-pool.js';

export interface Raster {
  data: Uint8Array;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA: the alpha byte is ignored). */
  channels: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Intersects a rectangle with the image; a degenerate result keeps at least one pixel. */
export function clipRect(rect: Rect, width: number, height: number): Rect {
  const x1 = Math.max(0, Math.min(width - 1, rect.x));
  const y1 = Math.max(0, Math.min(height - 1, rect.y));
  const x2 = Math.max(x1 + 1, Math.min(width, rect.x + rect.w));
  const y2 = Math.max(y1 + 1, Math.min(height, rect.y + rect.h));
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

/**
 * Resamples `rect` of `src` to outW x outH, writing interleaved RGB floats (0..255) into `out`
 * (length outW*outH*3). Samples outside the image read as black.
 */
export function sampleRect(src: Raster, rect: Rect, outW: number, outH: number, out: Float32Array = takeFloats(outW * outH * 3)): Float32Array {
  const sx = rect.w / outW;
  const sy = rect.h / outH;
  const kx = Math.max(1, Math.min(8, Math.round(sx)));
  const ky = Math.max(1, Math.min(8, Math.round(sy)));
  const { data, width, height, channels } = src;
  if (kx === 1 && ky === 1) {
    // Upscale or near 1:1: bilinear at pixel centres.
    let o = 0;
    for (let v = 0; v < outH; v++) {
      const fy = rect.y + (v + 0.5) * sy - 0.5;
      for (let u = 0; u < outW; u++) {
        const fx = rect.x + (u + 0.5) * sx - 0.5;
        bilinear(data, width, height, channels, fx, fy, out, o);
        o += 3;
      }
    }
    return out;
  }
  // Downscale: average a kx x ky grid of nearest samples spread over the output pixel's footprint. The sample
  // columns and rows are computed once per call (-1: outside the image, reads as black), not per pixel.
  const inv = 1 / (kx * ky);
  const cols = new Int32Array(outW * kx);
  for (let u = 0; u < outW; u++) {
    const x0 = rect.x + u * sx;
    for (let i = 0; i < kx; i++) {
      const xx = Math.floor(x0 + ((i + 0.5) * sx) / kx);
      cols[u * kx + i] = xx < 0 || xx >= width ? -1 : xx * channels;
    }
  }
  const rows = new Int32Array(outH * ky);
  for (let v = 0; v < outH; v++) {
    const y0 = rect.y + v * sy;
    for (let j = 0; j < ky; j++) {
      const yy = Math.floor(y0 + ((j + 0.5) * sy) / ky);
      rows[v * ky + j] = yy < 0 || yy >= height ? -1 : yy * width * channels;
    }
  }
  let o = 0;
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = v * ky, jEnd = j + ky; j < jEnd; j++) {
        const row = rows[j]!;
        if (row < 0) continue;
        for (let i = u * kx, iEnd = i + kx; i < iEnd; i++) {
          const col = cols[i]!;
          if (col < 0) continue;
          const p = row + col;
          r += data[p]!;
          g += data[p + 1]!;
          b += data[p + 2]!;
        }
      }
      out[o++] = r * inv;
      out[o++] = g * inv;
      out[o++] = b * inv;
    }
  }
  return out;
}

/** Bilinear read at (fx, fy) into out[o..o+2]; outside the image reads black. */
export function bilinear(data: Uint8Array, width: number, height: number, channels: number, fx: number, fy: number, out: Float32Array, o: number): void {
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let j = 0; j < 2; j++) {
    const yy = y0 + j;
    if (yy < 0 || yy >= height) continue;
    const wy = j === 0 ? 1 - ay : ay;
    for (let i = 0; i < 2; i++) {
      const xx = x0 + i;
      if (xx < 0 || xx >= width) continue;
      const w = wy * (i === 0 ? 1 - ax : ax);
      const p = (yy * width + xx) * channels;
      r += w * data[p]!;
      g += w * data[p + 1]!;
      b += w * data[p + 2]!;
    }
  }
  out[o] = r;
  out[o + 1] = g;
  out[o + 2] = b;
}

/** A crop resampled straight to a planar normalised tensor (the interleaved intermediate is reused). */
export function sampleRectPlanar(src: Raster, rect: Rect, outW: number, outH: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const rgb = sampleRect(src, rect, outW, outH);
  const planar = toPlanar(rgb, outW * outH, mean, std);
  giveFloats(rgb);
  return planar;
}

/** A crop resampled straight to scaled luminance (the interleaved intermediate is reused). */
export function sampleRectGray(src: Raster, rect: Rect, outW: number, outH: number, scale = 1): Float32Array {
  const rgb = sampleRect(src, rect, outW, outH);
  const gray = toGray(rgb, outW * outH, scale);
  giveFloats(rgb);
  return gray;
}

/** Interleaved RGB floats -> planar NCHW tensor data with per-channel (p - mean) / std. */
export function toPlanar(rgb: Float32Array, pixels: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const out = takeFloats(pixels * 3);
  for (let c = 0; c < 3; c++) {
    const m = mean[c] ?? 0;
    const s = 1 / (std[c] ?? 1);
    const base = c * pixels;
    for (let i = 0; i < pixels; i++) out[base + i] = (rgb[i * 3 + c]! - m) * s;
  }
  return out;
}

/** Interleaved 8-bit RGB(A) pixels straight to a planar NCHW tensor with per-channel (p - mean) / std. */
export function planarFromBytes(image: Raster, mean: readonly number[], std: readonly number[]): Float32Array {
  const pixels = image.width * image.height;
  const { data, channels } = image;
  const out = takeFloats(pixels * 3);
  for (let c = 0; c < 3; c++) {
    const m = mean[c] ?? 0;
    const s = 1 / (std[c] ?? 1);
    const base = c * pixels;
    for (let i = 0, p = c; i < pixels; i++, p += channels) out[base + i] = (data[p]! - m) * s;
  }
  return out;
}

/** Interleaved RGB floats -> luminance (0.299R + 0.587G + 0.114B), scaled by `scale`. */
export function toGray(rgb: Float32Array, pixels: number, scale = 1): Float32Array {
  const out = takeFloats(pixels);
  for (let i = 0; i < pixels; i++) out[i] = (0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!) * scale;
  return out;
}
