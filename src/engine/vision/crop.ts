import sharp, { type Region, type Sharp } from 'sharp';
import { StationError } from '../../shared/errors.js';
import type { FaceDto, ImageAnalysis } from '../../shared/schemas.js';
import type { Rect } from './raster.js';

/**
 * The 3:4 portrait the station cuts itself around the primary face, and square face thumbnails.
 * The layout follows ISO/ICAO portrait rules: chin-to-crown about 70 % of the crop height, eye line 40 %
 * from the top, eyes centred horizontally. The crown is estimated one eye-to-chin distance above the eyes.
 */
export const HEAD_FRACTION = 0.7;
export const EYE_LINE = 0.4;

export interface PortraitPlan {
  rect: Rect;
  /** Eye midpoint height from the crop's top, as a fraction of its height. */
  eyeLine: number;
  /** Eye midpoint x as a fraction of the crop width. */
  eyeMidX: number;
  /** Estimated chin-to-crown height as a fraction of the crop height. */
  headHeight: number;
  /** Face width (detector box) as a fraction of the crop width. */
  headWidth: number;
  /** False when the image is too small around the face and the crop had to shrink or shift. */
  ideal: boolean;
}

export function planPortrait(face: Pick<FaceDto, 'box' | 'leftEye' | 'rightEye'>, imageWidth: number, imageHeight: number): PortraitPlan {
  const ex = (face.leftEye.x + face.rightEye.x) / 2;
  const ey = (face.leftEye.y + face.rightEye.y) / 2;
  const eyeToChin = Math.max(1, face.box[3] - ey);
  let h = (2 * eyeToChin) / HEAD_FRACTION;
  let w = (h * 3) / 4;
  let ideal = true;
  const fit = Math.min(1, imageWidth / w, imageHeight / h);
  if (fit < 1) {
    w *= fit;
    h *= fit;
    ideal = false;
  }
  let x = ex - w / 2;
  let y = ey - EYE_LINE * h;
  const sx = Math.min(Math.max(0, x), imageWidth - w);
  const sy = Math.min(Math.max(0, y), imageHeight - h);
  if (Math.abs(sx - x) > 0.5 || Math.abs(sy - y) > 0.5) ideal = false;
  x = sx;
  y = sy;
  return {
    rect: { x, y, w, h },
    eyeLine: (ey - y) / h,
    eyeMidX: (ex - x) / w,
    headHeight: (2 * eyeToChin) / h,
    headWidth: (face.box[2] - face.box[0]) / w,
    ideal,
  };
}

function primaryFace(analysis: ImageAnalysis, index: number | null): FaceDto {
  const face = index === null ? undefined : analysis.faces[index];
  if (!face) throw new StationError('USAGE', `There is no face number ${index === null ? '(none)' : index} in this analysis: analyse the image first and use a face it found.`);
  return face;
}

function integerRect(rect: Rect, width: number, height: number): Region {
  const left = Math.max(0, Math.min(width - 1, Math.round(rect.x)));
  const top = Math.max(0, Math.min(height - 1, Math.round(rect.y)));
  return { left, top, width: Math.max(1, Math.min(width - left, Math.round(rect.w))), height: Math.max(1, Math.min(height - top, Math.round(rect.h))) };
}

function upright(image: Uint8Array): Sharp {
  return sharp(image, { failOn: 'error', pages: 1 }).rotate().flatten({ background: '#ffffff' });
}

/** Square PNG around one face (the box enlarged by 40 %), at most `size` px a side. */
export async function faceThumbnail(image: Uint8Array, analysis: ImageAnalysis, faceIndex: number, size = 160): Promise<Buffer> {
  const face = primaryFace(analysis, faceIndex);
  const [x1, y1, x2, y2] = face.box;
  const side = Math.max(x2 - x1, y2 - y1) * 1.4;
  const region = integerRect({ x: (x1 + x2) / 2 - side / 2, y: (y1 + y2) / 2 - side / 2, w: side, h: side }, analysis.width, analysis.height);
  return upright(image).extract(region).resize(size, size, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
}

/** The 3:4 portrait crop around the primary face, at most maxWidth x maxWidth*4/3, PNG (lossless). */
export async function portraitCrop(image: Uint8Array, analysis: ImageAnalysis, maxWidth = 1200): Promise<Buffer> {
  const face = primaryFace(analysis, analysis.primary);
  const plan = planPortrait(face, analysis.width, analysis.height);
  const region = integerRect(plan.rect, analysis.width, analysis.height);
  return upright(image)
    .extract(region)
    .resize(maxWidth, Math.round((maxWidth * 4) / 3), { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
}
