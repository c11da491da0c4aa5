import type * as ort from 'onnxruntime-node';
import { ALIGNED_SIZE } from './align.js';
import { toPlanar } from './raster.js';
import { run, tensor } from './sessions.js';

/** 512-d ArcFace-style embedding of an aligned 112x112 face, L2-normalised (the model's output is not). */
export async function embedFace(session: ort.InferenceSession, alignedRgb: Float32Array): Promise<Float32Array> {
  const pixels = ALIGNED_SIZE * ALIGNED_SIZE;
  const out = await run(session, tensor(toPlanar(alignedRgb, pixels, [127, 127, 127], [128, 128, 128]), [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]));
  return l2normalise(out[session.outputNames[0]!]!);
}

export function l2normalise(values: Float32Array): Float32Array {
  let sum = 0;
  for (const v of values) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! / norm;
  return out;
}

/** Cosine similarity of two L2-normalised embeddings (a plain dot product). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
