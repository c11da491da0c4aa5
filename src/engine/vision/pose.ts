import { type Raster, clipRect, sampleRectPlanar } from './raster.js';
import { type ModelSession, run, softmax, tensor } from './sessions.js';

/**
 * HopeNet-like head pose from the raw detector box plus a quarter of its size on each side (clipped),
 * 224x224 RGB with ImageNet normalisation. Each angle is the expectation over 66 bins of 3 degrees from -99.
 * Yaw > 0: the face turns toward the viewer's left. The raw pitch reads about -10 on frontal faces; the
 * caller adds a calibrated offset.
 */
const SIZE = 224;

export interface RawPose {
  yaw: number;
  pitchRaw: number;
  roll: number;
}

export function poseInput(image: Raster, box: readonly number[]): Float32Array {
  const w = box[2]! - box[0]!;
  const h = box[3]! - box[1]!;
  const crop = clipRect({ x: box[0]! - w / 4, y: box[1]! - h / 4, w: w * 1.5, h: h * 1.5 }, image.width, image.height);
  return sampleRectPlanar(image, crop, SIZE, SIZE, [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]);
}

export async function estimatePose(session: ModelSession, image: Raster, box: readonly number[]): Promise<RawPose> {
  return runPose(session, poseInput(image, box));
}

export async function runPose(session: ModelSession, input: Float32Array): Promise<RawPose> {
  const out = await run(session, tensor(input, [1, 3, SIZE, SIZE]));
  const [yawName, pitchName, rollName] = session.outputNames;
  return { yaw: binsToDegrees(out[yawName!]!), pitchRaw: binsToDegrees(out[pitchName!]!), roll: binsToDegrees(out[rollName!]!) };
}

function binsToDegrees(logits: Float32Array): number {
  const p = softmax(logits);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i]! * i * 3;
  return sum - 99;
}
