import type { ModelManifest } from '../models/manifest.js';
import { loadManifest, requireVerifiedModels } from '../models/manifest.js';
import { type QualityThresholds, resolveThresholds } from './config.js';
import { faceThumbnail, portraitCrop } from './crop.js';
import { analyzeFrame } from './live.js';
import { createSessions, releaseSessions } from './sessions.js';
import { analyzeStill } from './still.js';
import type { VisionEngine } from './types.js';

export type { AnalyzeOptions, GateProfile, StageTimings, StillAnalysis, VisionEngine } from './types.js';
export { DEFAULT_THRESHOLDS, resolveThresholds, type ProfileGate, type QualityThresholds } from './config.js';
export { cosine } from './embed.js';
export { toDto } from './still.js';

export interface VisionEngineOptions {
  manifest?: ModelManifest;
  thresholds?: Partial<QualityThresholds>;
  /** Intra-op threads per session: 1, or 2 with spinning disabled (default 2: faster in npm run bench:vision on 2 cores). */
  threads?: 1 | 2;
  /** Skip hashing the model files (the bench measures bare loading). Default false. */
  skipVerify?: boolean;
}

/** Creates the engine: verifies and loads the six models once; every call reuses the sessions. */
export async function createVisionEngine(options: VisionEngineOptions = {}): Promise<VisionEngine> {
  const manifest = options.manifest ?? loadManifest();
  if (!options.skipVerify) requireVerifiedModels(manifest);
  const thresholds = resolveThresholds(options.thresholds);
  const sessions = await createSessions(manifest, options.threads ?? 2);
  let closed = false;
  return {
    analyzeStill: (image, analyzeOptions) => analyzeStill(sessions, thresholds, image, analyzeOptions),
    analyzeFrame: (frame) => analyzeFrame(sessions, thresholds, frame),
    faceThumbnail: (image, analysis, faceIndex, size) => faceThumbnail(image, analysis, faceIndex, size),
    portraitCrop: (image, analysis, maxWidth) => portraitCrop(image, analysis, maxWidth),
    close: async () => {
      if (closed) return;
      closed = true;
      await releaseSessions(sessions);
    },
  };
}
