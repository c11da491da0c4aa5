import type * as ort from 'onnxruntime-node';
import { StationError } from '../../shared/errors.js';
import { type ModelManifest, type ModelRole, MODEL_ROLES, modelFilePath } from '../models/manifest.js';
import { type InferenceWorker, takeInferenceWorker } from './inference-worker.js';
import { type ModelSource, resolveModelFiles } from './model-files.js';

/**
 * The six ONNX sessions, created once per engine on its inference worker (see inference-worker.ts).
 * onnxruntime's default thread spinning starves the JS and libvips threads on 2-core machines (every stage
 * doubles), so it runs with 1 intra-op thread, or 2 with spinning disabled.
 */
export interface TensorData {
  data: Float32Array;
  dims: readonly number[];
}

export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model on one input (its buffer is handed over); outputs' data by name. */
  run(input: TensorData): Promise<Record<string, Float32Array>>;
}

export type Sessions = Record<ModelRole, ModelSession>;

const workers = new WeakMap<Sessions, InferenceWorker>();

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
 * without PRelu nodes); unverified when `sources` is not given. On `worker` when given (it is closed if this
 * fails), else on the worker started early (see startInferenceWorker) or a new one.
 */
export async function createSessions(manifest: ModelManifest, threads: 1 | 2, sources?: Record<ModelRole, ModelSource>, worker?: InferenceWorker): Promise<Sessions> {
  const own = worker ?? takeInferenceWorker();
  try {
    return await loadSessions(own, manifest, threads, sources ?? resolveModelFiles(manifest, { verify: false }));
  } catch (error) {
    await own.close();
    throw error;
  }
}

async function loadSessions(worker: InferenceWorker, manifest: ModelManifest, threads: 1 | 2, files: Record<ModelRole, ModelSource>): Promise<Sessions> {
  const options = sessionOptions(threads);
  const entries = await Promise.all(
    MODEL_ROLES.map(async (role) => {
      const file = modelFilePath(manifest, role);
      let info;
      try {
        info = await worker.load(role, files[role].load, options);
      } catch (error) {
        throw new StationError('MODEL_MISSING', `Cannot load the ${role} model (${file}): ${(error as Error).message}. Run \`npm run models\`.`, { cause: error });
      }
      const session: ModelSession = { inputNames: info.inputNames, outputNames: info.outputNames, run: (input) => worker.run(role, input.data, input.dims) };
      return [role, session] as const;
    }),
  );
  const sessions = Object.fromEntries(entries) as Sessions;
  workers.set(sessions, worker);
  return sessions;
}

export function tensor(data: Float32Array, dims: readonly number[]): TensorData {
  return { data, dims };
}

/** Runs a single-input session and returns its outputs' data by name. */
export function run(session: ModelSession, input: TensorData): Promise<Record<string, Float32Array>> {
  return session.run(input);
}

export async function releaseSessions(sessions: Sessions): Promise<void> {
  await workers.get(sessions)?.close();
  workers.delete(sessions);
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
