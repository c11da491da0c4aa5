import type * as ort from 'onnxruntime-node';
import { type Point, distance } from './geometry.js';
import { type Raster, sampleRect, toGray } from './raster.js';
import { run, softmax, tensor } from './sessions.js';

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
    return toGray(sampleRect(image, { x: cx - side / 2, y: cy - side / 2, w: Math.max(side, 1), h: Math.max(side, 1) }, SIZE, SIZE), SIZE * SIZE, 1 / 255);
  });
}

export async function runEyes(session: ort.InferenceSession, inputs: readonly Float32Array[]): Promise<number> {
  let open = 1;
  for (const gray of inputs) {
    const out = await run(session, tensor(gray, [1, 1, SIZE, SIZE]));
    open = Math.min(open, softmax(out[session.outputNames[0]!]!)[1]!);
  }
  return open;
}

export async function eyesOpenScore(session: ort.InferenceSession, image: Raster, points: readonly Point[]): Promise<number> {
  return runEyes(session, eyesInputs(image, points));
}
