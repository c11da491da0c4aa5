import type { ModelManifest } from '../models/manifest.js';
import { encoderVersion, flipAveragedEmbedding, loadManifest } from '../models/manifest.js';
import { type QualityThresholds, resolveThresholds } from './config.js';
import { faceThumbnail, portraitCrop } from './crop.js';
import { flipAveraged } from './embed.js';
import { startModels, takeEarlyModels } from './models-start.js';
import { releaseSessions } from './sessions.js';
import { analyzeStill } from './still.js';
import type { VisionEngine } from './types.js';

export type { AnalyzeOptions, GateProfile, StageTimings, StillAnalysis, VisionEngine } from './types.js';
export { DEFAULT_THRESHOLDS, resolveThresholds, type ProfileGate, type QualityThresholds } from './config.js';
export { cosine } from './embed.js';
export { toDto } from './still.js';
export { startModelsEarly } from './models-start.js';

export interface VisionEngineOptions {
  manifest?: ModelManifest;
  thresholds?: Partial<QualityThresholds>;
  /** Intra-op threads per session: 1, or 2 with spinning disabled (default 2: faster in npm run bench:vision on 2 cores). */
  threads?: 1 | 2;
  /**
   * Skip the sha256 check of the model files (the bench measures bare loading). Default false: files are
   * hashed unless unchanged since a verified hash (models/.verified.json; see model-files.ts).
   */
  skipVerify?: boolean;
}

/**
 * Creates the engine: verifies and loads the six models once; every call reuses the sessions. With default
 * model options it takes the models started early by `startModelsEarly()`, if any (see models-start.ts).
 */
export async function createVisionEngine(options: VisionEngineOptions = {}): Promise<VisionEngine> {
  const engine = startVisionEngine(options);
  await engine.ready;
  return engine;
}

/**
 * The engine of createVisionEngine, returned before its models are loaded: a still given to it meanwhile is
 * decoded (and its detector input cut) while they load, and then waits for them. `ready` settles once they are
 * loaded; when they cannot be, it and every analysis reject with the same coded error (a still that cannot be
 * decoded reports that error, not its own). For a caller that has stills waiting, such as `station analyze`.
 */
export function startVisionEngine(options: VisionEngineOptions = {}): VisionEngine & { readonly ready: Promise<void> } {
  const thresholds = resolveThresholds(options.thresholds);
  const defaults = options.manifest === undefined && options.threads === undefined && !options.skipVerify;
  // The manifest read is cheap (the early models read the same default one): it says which encoder runs.
  const manifest = options.manifest ?? loadManifest();
  const sessions = (defaults ? takeEarlyModels() : null) ?? startModels(options);
  // Sessions stay keyed by their own object (the worker is found from it): wrap a copy, not the original.
  const running = sessions.then((loaded) => (flipAveragedEmbedding(manifest) ? { ...loaded, embedding: flipAveraged(loaded.embedding) } : loaded));
  const ready = running.then(() => undefined);
  // A failure is reported by `ready` and by each analysis, to whoever awaits them.
  ready.catch(() => undefined);
  let closed = false;
  return {
    ready,
    encoderVersion: encoderVersion(manifest),
    analyzeStill: (image, analyzeOptions) => analyzeStill(running, thresholds, image, analyzeOptions),
    // Loaded with the first frame: live frames are checked against the shared schemas (zod), which a still
    // analysis (`station analyze`) never needs; building them is a good part of that command's start-up.
    analyzeFrame: async (frame) => (await import('./live.js')).analyzeFrame(await running, thresholds, frame),
    faceThumbnail: (image, analysis, faceIndex, size) => faceThumbnail(image, analysis, faceIndex, size),
    portraitCrop: (image, analysis, maxWidth) => portraitCrop(image, analysis, maxWidth),
    close: async () => {
      if (closed) return;
      closed = true;
      // Models that failed to load left nothing to release (their worker was closed then).
      const loaded = await sessions.catch(() => null);
      if (loaded) await releaseSessions(loaded);
    },
  };
}
