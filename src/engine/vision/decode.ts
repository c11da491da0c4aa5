import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { StationError } from '../../shared/errors.js';
import type { Raster } from './raster.js';

/**
 * Decoding with sharp: EXIF orientation applied (coordinates are of the upright image), alpha flattened onto
 * white, any colour space (grayscale, CMYK, 16-bit, palette) converted to 8-bit sRGB, first frame of animations.
 * A decompression bomb is refused from its header (limitInputPixels) before any pixel is decoded.
 */
export interface DecodeLimits {
  maxFileBytes: number;
  maxPixels: number;
  minSide: number;
}

/** Upright 8-bit RGB pixels (EXIF orientation applied). */
export type DecodedImage = Raster;

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

/**
 * Full-resolution upright 8-bit RGB. The decode itself refuses a bomb from the header (limitInputPixels), so
 * the header is read separately only when decoding fails, to turn the failure into a precise message.
 */
export async function decodeImage(bytes: Uint8Array, limits: DecodeLimits): Promise<DecodedImage> {
  checkFileSize(bytes, limits);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    // Throws the specific error (empty, not an image, too many pixels, too small) when the header shows one.
    await probe(bytes, limits);
    throw unreadable(error);
  }
  const { data, info } = decoded;
  if (Math.min(info.width, info.height) < limits.minSide) {
    throw new StationError('IMAGE_TOO_SMALL', `The image is only ${info.width}x${info.height} pixels; a face photo needs at least ${limits.minSide} pixels on each side (480x640 recommended).`);
  }
  if (info.channels !== 3) throw new StationError('IMAGE_UNREADABLE', `The image decoded to ${info.channels} colour channels instead of RGB: re-save it as an ordinary JPEG or PNG.`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
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
 * A whole-image resize of an already decoded raster by libvips (box shrink, then a linear reduce: an area
 * average, so a large photo does not alias), stretched like the detector was trained. Cheaper than a second
 * decode at reduced size: the shrink-on-load factor is limited by the smaller of the two scales, so that
 * decode was nearly as costly as the full one, and both competed for the same two cores.
 */
export async function resizeRaster(image: Raster, width: number, height: number): Promise<Raster> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 3 | 4 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}
