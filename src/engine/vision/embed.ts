import { ALIGNED_SIZE } from './align.js';
import { giveFloats } from './float-pool.js';
import { toPlanar } from './raster.js';
import { type ModelSession, run, tensor } from './sessions.js';

/** The embedding model's input from an aligned 112x112 face: planar RGB, (p - 127) / 128. */
export function embeddingInput(alignedRgb: Float32Array): Float32Array {
  return toPlanar(alignedRgb, ALIGNED_SIZE * ALIGNED_SIZE, [127, 127, 127], [128, 128, 128]);
}

/** The embedding input straight from the aligned face, which is given back to the pool. */
export function embeddingInputFrom(alignedRgb: Float32Array): Float32Array {
  const input = embeddingInput(alignedRgb);
  giveFloats(alignedRgb);
  return input;
}

/** 512-d ArcFace-style embedding of a prepared input, L2-normalised (the model's output is not). */
export async function runEmbedding(session: ModelSession, input: Float32Array): Promise<Float32Array> {
  const out = await run(session, tensor(input, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]));
  return l2normalise(out[session.outputNames[0]!]!);
}

/** 512-d ArcFace-style embedding of an aligned 112x112 face, L2-normalised (the model's output is not). */
export async function embedFace(session: ModelSession, alignedRgb: Float32Array): Promise<Float32Array> {
  return runEmbedding(session, embeddingInput(alignedRgb));
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
