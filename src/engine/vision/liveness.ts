import { type Raster, sampleRectPlanar } from './raster.js';
import { type ModelSession, run, softmax, tensor } from './sessions.js';

/**
 * Passive liveness (Silent-Face-Anti-Spoofing style): the box made square, enlarged 2.7x around its centre,
 * shifted back inside the image, 128x128 raw 0..255 RGB. Returns P(live) from softmax [live, spoof, unused].
 * No labelled attack data exists here, so the score is recorded, not enforced, by default.
 */
const SIZE = 128;
const SCALE = 2.7;

/** The 128x128 input around the face (JavaScript work that can overlap another model's run). */
export function livenessInput(image: Raster, box: readonly number[]): Float32Array {
  const w = box[2]! - box[0]!;
  const h = box[3]! - box[1]!;
  const side = Math.min(Math.max(w, h) * SCALE, image.width, image.height);
  const cx = (box[0]! + box[2]!) / 2;
  const cy = (box[1]! + box[3]!) / 2;
  const x = Math.min(Math.max(0, cx - side / 2), image.width - side);
  const y = Math.min(Math.max(0, cy - side / 2), image.height - side);
  return sampleRectPlanar(image, { x, y, w: side, h: side }, SIZE, SIZE, [0, 0, 0], [1, 1, 1]);
}

export async function runLiveness(session: ModelSession, input: Float32Array): Promise<number> {
  const out = await run(session, tensor(input, [1, 3, SIZE, SIZE]));
  return softmax(out[session.outputNames[0]!]!)[0]!;
}

export async function livenessScore(session: ModelSession, image: Raster, box: readonly number[]): Promise<number> {
  return runLiveness(session, livenessInput(image, box));
}
