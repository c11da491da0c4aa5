import { type ModelManifest, loadManifest, modelsNotInstalled } from '../models/manifest.js';
import { takeInferenceWorker } from './inference-worker.js';
import { resolveModelFiles } from './model-files.js';
import { type Sessions, createSessions, releaseSessions } from './sessions.js';

/**
 * Loading the six models (checking the files, starting the inference worker, creating the sessions on it) is
 * most of the vision engine's start-up. This module starts it without loading the rest of the engine (sharp,
 * the pipeline), so a process that will need the engine can start it early and do other start-up work
 * meanwhile: the app's engine process starts it before it opens the data folder. The worker loads onnxruntime
 * and the sessions on its own thread.
 * `station analyze` starts it before its command line is parsed. A process that ends while the worker is
 * still inside onnxruntime's native loading code aborts instead of exiting with its code, so whoever starts
 * models early releases what nobody took (releaseEarlyModels) before the process ends.
 */
export interface ModelStartOptions {
  manifest?: ModelManifest;
  /** Intra-op threads per session (see sessions.ts). */
  threads?: 1 | 2;
  /** Skip the sha256 check of the model files (benchmarks of bare loading). */
  skipVerify?: boolean;
}

export async function startModels(options: ModelStartOptions = {}): Promise<Sessions> {
  // Taken first, so that a worker started early (startInferenceWorker) is closed when the check refuses.
  const worker = takeInferenceWorker();
  let manifest: ModelManifest;
  let models: ReturnType<typeof resolveModelFiles>;
  try {
    manifest = options.manifest ?? loadManifest();
    models = resolveModelFiles(manifest, { verify: !options.skipVerify });
  } catch (error) {
    await worker.close();
    throw error;
  }
  return createSessions(manifest, options.threads ?? 2, models, worker);
}

let early: Promise<Sessions> | null = null;

/**
 * Starts loading the models with the default options (the default manifest, files verified as always), for
 * the next `createVisionEngine()` with default options to take. Idempotent. A failure surfaces there.
 */
export function startModelsEarly(): void {
  if (early) return;
  early = startModels();
  early.catch(() => {
    // Reported to whoever takes it (createVisionEngine), not here.
  });
}

/**
 * The app's engine start: the model files are checked once, in the installer's words (MODEL_MISSING /
 * MODEL_CHECKSUM, "reinstall"), and thrown at once when not ready; the models start loading from that same
 * check. The check is the remembered one (see model-files.ts): a file unchanged since it was hashed is not
 * hashed again, so a start neither hashes twice nor hashes ~15 MB every time.
 */
export function startInstalledModelsEarly(): void {
  if (early) return;
  const manifest = loadManifest();
  const sources = resolveModelFiles(manifest, { notReady: (problems) => modelsNotInstalled(manifest, problems) });
  early = createSessions(manifest, 2, sources);
  early.catch(() => {
    // Reported to whoever takes it (createVisionEngine), not here.
  });
}

/** The models started early, once (the next caller loads its own). */
export function takeEarlyModels(): Promise<Sessions> | null {
  const taken = early;
  early = null;
  return taken;
}

/** Waits for models started early that nobody took, and releases them (their worker ends). */
export async function releaseEarlyModels(): Promise<void> {
  const untaken = takeEarlyModels();
  const sessions = await untaken?.catch(() => null);
  if (sessions) await releaseSessions(sessions);
}
