import type { Point } from './geometry.js';
import { type Raster, type Rect, clipRect, sampleRectGray } from './raster.js';
import { type ModelSession, run, tensor } from './sessions.js';

/** 68 iBUG landmarks from a 64x64 gray crop: the detector box made square (side = box height), clipped. */
const SIZE = 64;

export interface LandmarkInput {
  gray: Float32Array;
  crop: Rect;
}

/** The 64x64 gray crop of one face (JavaScript work that can overlap another model's run). */
export function landmarkInput(image: Raster, box: readonly number[]): LandmarkInput {
  const side = box[3]! - box[1]!;
  const cx = (box[0]! + box[2]!) / 2;
  const cy = (box[1]! + box[3]!) / 2;
  const crop = clipRect({ x: cx - side / 2, y: cy - side / 2, w: side, h: side }, image.width, image.height);
  return { gray: sampleRectGray(image, crop, SIZE, SIZE, 1 / 256), crop };
}

export async function runLandmarks(session: ModelSession, input: LandmarkInput): Promise<Point[]> {
  const out = await run(session, tensor(input.gray, [1, 1, SIZE, SIZE]));
  const values = out[session.outputNames[0]!]!;
  const { crop } = input;
  const points: Point[] = [];
  for (let i = 0; i < 68; i++) points.push({ x: values[i * 2]! * crop.w + crop.x, y: values[i * 2 + 1]! * crop.h + crop.y });
  return points;
}

export async function detectLandmarks(session: ModelSession, image: Raster, box: readonly number[]): Promise<Point[]> {
  return runLandmarks(session, landmarkInput(image, box));
}

const mean = (points: readonly Point[], indices: readonly number[]): Point => ({
  x: indices.reduce((s, i) => s + points[i]!.x, 0) / indices.length,
  y: indices.reduce((s, i) => s + points[i]!.y, 0) / indices.length,
});

/**
 * Five points in the ArcFace template's order: image-left eye, image-right eye, nose tip, image-left and
 * image-right mouth corners. iBUG 36-41 is the eye on the image's left, which is the SUBJECT'S RIGHT eye.
 */
export function fivePoints(points: readonly Point[]): Point[] {
  return [mean(points, [37, 38, 40, 41]), mean(points, [43, 44, 46, 47]), points[30]!, mean(points, [48, 60]), mean(points, [54, 64])];
}

/** The subject's own eyes: left = iBUG 42-47 (larger x on an upright frontal face). */
export function subjectEyes(points: readonly Point[]): { leftEye: Point; rightEye: Point } {
  return { leftEye: mean(points, [43, 44, 46, 47]), rightEye: mean(points, [37, 38, 40, 41]) };
}
