import { type Point, distance } from './geometry.js';
import { type Raster, sampleRectGray } from './raster.js';
import { type ModelSession, run, softmax, tensor } from './sessions.js';

/**
 * Eye state per eye: a square of 1.6 x the eye's width (corner to corner) centred on the eyelid mean,
 * 24x24 gray /255; softmax [closed, open]. Only meaningful on frontal faces; no closed-eye data exists
 * here, so the value is recorded, not enforced, by default. Returns the smaller P(open) of the two eyes.
 */
const SIZE = 24;

const EYES = [
  { corners: [36, 39], lids: [37, 38, 40, 41] },
  { corners: [42, 45], lids: [43, 44, 46, 47] },
] as const;

/** The two 24x24 gray eye crops (JavaScript work that can overlap another model's run). */
export function eyesInputs(image: Raster, points: readonly Point[]): Float32Array[] {
  return EYES.map((eye) => {
    const side = 1.6 * distance(points[eye.corners[0]]!, points[eye.corners[1]]!);
    const cx = eye.lids.reduce((s, i) => s + points[i]!.x, 0) / 4;
    const cy = eye.lids.reduce((s, i) => s + points[i]!.y, 0) / 4;
    return sampleRectGray(image, { x: cx - side / 2, y: cy - side / 2, w: Math.max(side, 1), h: Math.max(side, 1) }, SIZE, SIZE, 1 / 255);
  });
}

/** Both eyes' runs are posted at once (the worker takes them back to back). */
export async function runEyes(session: ModelSession, inputs: readonly Float32Array[]): Promise<number> {
  const outputs = await Promise.all(inputs.map((gray) => run(session, tensor(gray, [1, 1, SIZE, SIZE]))));
  return Math.min(1, ...outputs.map((out) => softmax(out[session.outputNames[0]!]!)[1]!));
}

export async function eyesOpenScore(session: ModelSession, image: Raster, points: readonly Point[]): Promise<number> {
  return runEyes(session, eyesInputs(image, points));
}
