import { type ModelManifest, loadManifest } from '../models/manifest.js';
import { resolveModelFiles } from './model-files.js';
import { type Sessions, createSessions } from './sessions.js';

/**
 * Loading the six models (checking the files, starting the inference worker, creating the sessions on it) is
 * most of the vision engine's start-up. This module starts it without loading the rest of the engine (sharp,
 * the pipeline), so a process that will need the engine can start it early and do other start-up work
 * meanwhile: the app's engine process starts it before it opens the data folder. The worker loads onnxruntime
 * and the sessions on its own thread.
 * Not used before the command line is parsed: a process that exits (a usage error calls process.exit) while
 * the worker is still inside onnxruntime's native loading code aborts instead of exiting with its code.
 */
export interface ModelStartOptions {
  manifest?: ModelManifest;
  /** Intra-op threads per session (see sessions.ts). */
  threads?: 1 | 2;
  /** Skip the sha256 check of the model files (benchmarks of bare loading). */
  skipVerify?: boolean;
}

export async function startModels(options: ModelStartOptions = {}): Promise<Sessions> {
  const manifest = options.manifest ?? loadManifest();
  const models = resolveModelFiles(manifest, { verify: !options.skipVerify });
  return createSessions(manifest, options.threads ?? 2, models);
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

/** The models started early, once (the next caller loads its own). */
export function takeEarlyModels(): Promise<Sessions> | null {
  const taken = early;
  early = null;
  return taken;
}
