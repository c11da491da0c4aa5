import sharp, { type Metadata } from 'sharp';
import { StationError } from '../../shared/errors.js';
import type { Raster } from './raster.js';

/**
 * Decoding with sharp: EXIF orientation applied (coordinates are of the upright image), alpha flattened onto
 * white, any colour space (grayscale, CMYK, 16-bit, palette) converted to 8-bit sRGB, first frame of animations.
 * The header is read first, so a decompression bomb is refused before any pixel is decoded.
 */
export interface DecodeLimits {
  maxFileBytes: number;
  maxPixels: number;
  minSide: number;
}

export interface DecodedImage extends Raster {
  /** The container format sharp saw (jpeg, png, gif, webp, ...). */
  format: string;
}

export function checkFileSize(bytes: Uint8Array, limits: DecodeLimits): void {
  if (bytes.length === 0) throw new StationError('IMAGE_EMPTY', 'The file is empty (0 bytes): choose the photo again or re-export it.');
  if (bytes.length > limits.maxFileBytes) {
    throw new StationError('IMAGE_TOO_LARGE_FILE', `The file is ${(bytes.length / 1048576).toFixed(1)} MB; the limit is ${(limits.maxFileBytes / 1048576).toFixed(0)} MB. Save it at a lower quality or smaller size.`);
  }
}

/** Reads only the header: upright size and format; refuses bombs and tiny images. */
export async function probe(bytes: Uint8Array, limits: DecodeLimits): Promise<{ width: number; height: number; format: string }> {
  checkFileSize(bytes, limits);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw unreadable(error);
  }
  if (!meta.width || !meta.height || !meta.format) throw new StationError('IMAGE_UNREADABLE', 'The file is not an image the station can read (JPEG, PNG, WebP, GIF, TIFF, AVIF).');
  const pixels = meta.width * meta.height;
  if (pixels > limits.maxPixels) {
    throw new StationError('IMAGE_TOO_MANY_PIXELS', `The image declares ${meta.width}x${meta.height} pixels (${(pixels / 1e6).toFixed(0)} MP); the limit is ${(limits.maxPixels / 1e6).toFixed(0)} MP. Resize it before importing.`);
  }
  if (Math.min(meta.width, meta.height) < limits.minSide) {
    throw new StationError('IMAGE_TOO_SMALL', `The image is only ${meta.width}x${meta.height} pixels; a face photo needs at least ${limits.minSide} pixels on each side (480x640 recommended).`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: swap ? meta.height : meta.width, height: swap ? meta.width : meta.height, format: meta.format };
}

/** Full-resolution upright 8-bit RGB. */
export async function decodeImage(bytes: Uint8Array, limits: DecodeLimits): Promise<DecodedImage> {
  const { format } = await probe(bytes, limits);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels after conversion`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3, format };
  } catch (error) {
    if (error instanceof StationError) throw error;
    throw unreadable(error);
  }
}

function unreadable(error: unknown): StationError {
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const truncated = /premature end|truncated|corrupt|unexpected end/i.test(detail ?? '');
  return new StationError(
    'IMAGE_UNREADABLE',
    truncated
      ? 'The image file is damaged or incomplete (truncated): copy it again from the camera or source.'
      : 'The file is not an image the station can read (JPEG, PNG, WebP, GIF, TIFF, AVIF): check that it is a photo and not renamed.',
    { details: { reason: detail } },
  );
}

/**
 * The detector's 320x240 input decoded at reduced size (JPEG shrink-on-load: libjpeg decodes at 1/2, 1/4
 * or 1/8 scale), stretched like the detector was trained. Runs alongside the full decode.
 */
export async function decodeForDetection(bytes: Uint8Array, limits: DecodeLimits, width: number, height: number): Promise<Raster> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .resize(width, height, { fit: 'fill', fastShrinkOnLoad: true, kernel: 'linear' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw unreadable(error);
  }
}
