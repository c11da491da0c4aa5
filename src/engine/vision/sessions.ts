import * as ort from 'onnxruntime-node';
import { StationError } from '../../shared/errors.js';
import { type ModelManifest, type ModelRole, MODEL_ROLES, modelFilePath } from '../models/manifest.js';
import { type ModelSource, resolveModelFiles } from './model-files.js';

/**
 * The six ONNX sessions, created once per engine. onnxruntime's default thread spinning starves the JS and
 * libvips threads on 2-core machines (every stage doubles), so it runs with 1 intra-op thread, or 2 with
 * spinning disabled.
 */
export type Sessions = Record<ModelRole, ort.InferenceSession>;

export function sessionOptions(threads: 1 | 2): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/**
 * Creates the six sessions from what resolveModelFiles found (the verified files, or their rewritten copies
 * without PRelu nodes); unverified when `sources` is not given.
 */
export async function createSessions(manifest: ModelManifest, threads: 1 | 2, sources?: Record<ModelRole, ModelSource>): Promise<Sessions> {
  const files = sources ?? resolveModelFiles(manifest, { verify: false });
  const options = sessionOptions(threads);
  const entries = await Promise.all(
    MODEL_ROLES.map(async (role) => {
      const file = modelFilePath(manifest, role);
      try {
        return [role, await createSession(files[role].load, options)] as const;
      } catch (error) {
        throw new StationError('MODEL_MISSING', `Cannot load the ${role} model (${file}): ${(error as Error).message}. Run \`npm run models\`.`, { cause: error });
      }
    }),
  );
  return Object.fromEntries(entries) as Sessions;
}

function createSession(load: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  return typeof load === 'string' ? ort.InferenceSession.create(load, options) : ort.InferenceSession.create(load, options);
}

export function tensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Runs a single-input session and returns its outputs' data by name. */
export async function run(session: ort.InferenceSession, input: ort.Tensor): Promise<Record<string, Float32Array>> {
  const feeds: Record<string, ort.Tensor> = { [session.inputNames[0]!]: input };
  const result = await session.run(feeds);
  const out: Record<string, Float32Array> = {};
  for (const name of session.outputNames) out[name] = result[name]!.data as Float32Array;
  return out;
}

export async function releaseSessions(sessions: Sessions): Promise<void> {
  await Promise.all(Object.values(sessions).map((session) => session.release()));
}

export function softmax(values: ArrayLike<number>, offset = 0, length = values.length): number[] {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, values[offset + i]!);
  const exps: number[] = [];
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const e = Math.exp(values[offset + i]! - max);
    exps.push(e);
    sum += e;
  }
  return exps.map((e) => e / sum);
}
