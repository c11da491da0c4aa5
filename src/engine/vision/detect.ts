import { resizeRaster } from './decode.js';
import type { Raster } from './raster.js';
import { planarFromBytes, sampleRectPlanar } from './raster.js';
import { type ModelSession, run, tensor } from './sessions.js';

/**
 * RFB-320 face detector. Its boxes come out already decoded (corners in [0,1] of the whole image), so
 * post-processing is a score filter and NMS. Boxes are tall: forehead to chin.
 */
export const DETECT_WIDTH = 320;
export const DETECT_HEIGHT = 240;

export interface Detection {
  /** [x1, y1, x2, y2] in pixels of the upright image. */
  box: [number, number, number, number];
  score: number;
}

const DETECT_MEAN = [127, 127, 127];
const DETECT_STD = [128, 128, 128];

/** The detector input from any raster: the whole image stretched to 320x240 (cheap for <= 640x480 frames). */
export function detectorInput(image: Raster): Float32Array {
  return sampleRectPlanar(image, { x: 0, y: 0, w: image.width, h: image.height }, DETECT_WIDTH, DETECT_HEIGHT, DETECT_MEAN, DETECT_STD);
}

/**
 * The detector input of a full-resolution still: libvips shrinks the decoded pixels (multi-threaded, an
 * area average) where the JavaScript box filter would read up to 64 samples per output pixel.
 */
export async function stillDetectorInput(image: Raster): Promise<Float32Array> {
  if (image.width <= 2 * DETECT_WIDTH && image.height <= 2 * DETECT_HEIGHT) return detectorInput(image);
  return planarFromBytes(await resizeRaster(image, DETECT_WIDTH, DETECT_HEIGHT), DETECT_MEAN, DETECT_STD);
}

export async function detectFaces(
  session: ModelSession,
  input: Float32Array,
  imageWidth: number,
  imageHeight: number,
  scoreMin: number,
  nmsIou: number,
): Promise<Detection[]> {
  const out = await run(session, tensor(input, [1, 3, DETECT_HEIGHT, DETECT_WIDTH]));
  const scores = out.scores!;
  const boxes = out.boxes!;
  const candidates: Detection[] = [];
  const count = scores.length / 2;
  for (let i = 0; i < count; i++) {
    const score = scores[i * 2 + 1]!;
    if (score < scoreMin) continue;
    const x1 = clamp(boxes[i * 4]!, 0, 1) * imageWidth;
    const y1 = clamp(boxes[i * 4 + 1]!, 0, 1) * imageHeight;
    const x2 = clamp(boxes[i * 4 + 2]!, 0, 1) * imageWidth;
    const y2 = clamp(boxes[i * 4 + 3]!, 0, 1) * imageHeight;
    if (x2 - x1 < 2 || y2 - y1 < 2) continue;
    candidates.push({ box: [x1, y1, x2, y2], score });
  }
  return nms(candidates, nmsIou);
}

/** Greedy NMS: highest score first, drop boxes overlapping a kept one by more than `iou`. */
export function nms(detections: Detection[], iou: number): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => boxIou(k.box, candidate.box) <= iou)) kept.push(candidate);
  }
  return kept;
}

export function boxIou(a: readonly number[], b: readonly number[]): number {
  const ix = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const iy = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = ix * iy;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

export function boxArea(box: readonly number[]): number {
  return Math.max(0, box[2]! - box[0]!) * Math.max(0, box[3]! - box[1]!);
}

/**
 * The primary face: the largest box among those scoring within `margin` of the best score (a larger false
 * positive on a blurred background scores lower than a real face, a small background face is not larger).
 */
export function choosePrimary(detections: readonly Detection[], margin: number): number | null {
  if (detections.length === 0) return null;
  const best = Math.max(...detections.map((d) => d.score));
  let chosen = -1;
  for (let i = 0; i < detections.length; i++) {
    const d = detections[i]!;
    if (d.score < best - margin) continue;
    if (chosen < 0 || boxArea(d.box) > boxArea(detections[chosen]!.box)) chosen = i;
  }
  return chosen;
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}
