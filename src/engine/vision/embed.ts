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

/**
 * The embedding session of a flip-averaged encoder: every input also runs mirrored (left-right), and the two
 * L2-normalised outputs are summed (runEmbedding normalises the sum, i.e. their average's direction). The
 * ArcFace template is nearly symmetric, so the mirrored aligned face is itself an aligned face.
 */
export function flipAveraged(session: ModelSession): ModelSession {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(input) {
      const mirrored = mirrorPlanes(input.data, input.dims);
      const [plain, flipped] = await Promise.all([session.run(input), session.run({ data: mirrored, dims: input.dims })]);
      const name = session.outputNames[0]!;
      const a = l2normalise(plain[name]!);
      const b = l2normalise(flipped[name]!);
      for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
      return { ...plain, [name]: a };
    },
  };
}

/** A copy of an NCHW tensor with every row reversed (the input buffer is handed to the model, so copy first). */
function mirrorPlanes(data: Float32Array, dims: readonly number[]): Float32Array {
  const width = dims[dims.length - 1]!;
  const out = new Float32Array(data.length);
  for (let row = 0; row < data.length; row += width) {
    for (let x = 0; x < width; x++) out[row + x] = data[row + width - 1 - x]!;
  }
  return out;
}
