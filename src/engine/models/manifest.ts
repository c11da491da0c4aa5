import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { StationError } from '../../shared/errors.js';

/**
 * The model manifest: models are data, not code. Each role (detector, landmarks, ...) names an ONNX file,
 * its sha256, its tensor shapes and its preprocessing. A site can point STATION_MODEL_MANIFEST at its own
 * manifest to swap a model that keeps the same input/output contract.
 */
const tensorShapes = z.record(z.string(), z.array(z.number().int()));

const modelEntrySchema = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.string().optional(),
  description: z.string().optional(),
  inputs: tensorShapes,
  outputs: tensorShapes,
  preprocess: z.record(z.string(), z.unknown()),
  postprocess: z.record(z.string(), z.unknown()).optional(),
});

export const MODEL_ROLES = ['detector', 'landmarks', 'embedding', 'liveness', 'pose', 'eyes'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/**
 * The embedding entry also says which encoder version its vectors are (an integer, default 1): templates built
 * with an older version are upgraded by the local BWS service. `postprocess.flipAverage: true` makes the
 * embedding the average of the face's and its mirror image's (a derived encoder: its vectors differ).
 */
const embeddingEntrySchema = modelEntrySchema.extend({ encoderVersion: z.number().int().min(1).max(2_147_483_647).optional() });

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  pack: z.string(),
  sources: z.record(z.string(), z.object({ npm: z.string(), version: z.string(), integrity: z.string(), folder: z.string(), license: z.string().optional() })).optional(),
  models: z.object({
    ...(Object.fromEntries(MODEL_ROLES.map((role) => [role, modelEntrySchema])) as Record<ModelRole, typeof modelEntrySchema>),
    embedding: embeddingEntrySchema,
  }),
});

export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type ModelManifest = z.infer<typeof manifestSchema> & { path: string };

/** The project's models/ folder, found from this module's location both in src/ (tests) and dist/ (CLI). */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'models', 'manifest.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new StationError('MODEL_MANIFEST', 'Cannot find the models/ folder next to the station program.');
    dir = parent;
  }
}

/** STATION_MODEL_MANIFEST, or the project's models/manifest.json when it is unset or empty. */
export function defaultManifestPath(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.STATION_MODEL_MANIFEST?.trim();
  return path.resolve(chosen ? chosen : path.join(projectRoot(), 'models', 'manifest.json'));
}

/** The encoder version of the manifest's embedding model (1 when the entry does not say). */
export function encoderVersion(manifest: ModelManifest): number {
  return manifest.models.embedding.encoderVersion ?? 1;
}

/** Whether the embedding is flip-averaged (the face and its mirror image, averaged). */
export function flipAveragedEmbedding(manifest: ModelManifest): boolean {
  return manifest.models.embedding.postprocess?.flipAverage === true;
}

export function loadManifest(manifestPath = defaultManifestPath()): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new StationError('MODEL_MANIFEST', `Cannot read the model manifest ${manifestPath}: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new StationError('MODEL_MANIFEST', `The model manifest ${manifestPath} is invalid at ${first?.path.join('.') ?? '?'}: ${first?.message ?? 'unknown'}.`);
  }
  return { ...parsed.data, path: manifestPath };
}

export function modelFilePath(manifest: ModelManifest, role: ModelRole): string {
  const file = manifest.models[role].file;
  return path.isAbsolute(file) ? file : path.join(path.dirname(manifest.path), file);
}

export interface ModelCheck {
  role: ModelRole;
  file: string;
  ok: boolean;
  detail: string;
}

/** What is wrong with a model file, in the words `station doctor` and the engine's start-up both use. */
export const MODEL_MISSING_DETAIL = 'missing: run `npm run models`';
export const modelMismatchDetail = (actualSha256: string): string => `sha256 mismatch (${actualSha256.slice(0, 12)}...): run \`npm run models\``;

/** The coded error for model files that are missing or do not match the manifest. */
export function modelsNotReady(problems: ReadonlyArray<{ file: string; detail: string; missing: boolean }>): StationError {
  const code = problems.some((problem) => problem.missing) ? 'MODEL_MISSING' : 'MODEL_CHECKSUM';
  return new StationError(code, `Model files not ready: ${problems.map((problem) => `${path.basename(problem.file)} ${problem.detail}`).join('; ')}.`);
}

/** Hashes every model file (about 15 MB: tens of milliseconds) and reports each role. */
export function verifyModels(manifest: ModelManifest): ModelCheck[] {
  return MODEL_ROLES.map((role) => {
    const file = modelFilePath(manifest, role);
    if (!fs.existsSync(file)) return { role, file, ok: false, detail: MODEL_MISSING_DETAIL };
    const actual = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (actual !== manifest.models[role].sha256) return { role, file, ok: false, detail: modelMismatchDetail(actual) };
    return { role, file, ok: true, detail: 'verified' };
  });
}

/**
 * The engine's start-up refusal in the app, for model files that are missing or do not match their sha256:
 * a coded error an installer can act on (the models of an installed app are only ever changed by damage or
 * tampering, so the remedy is a reinstall; a source checkout fetches them again with `npm run models`).
 */
export function modelsNotInstalled(manifest: ModelManifest, problems: ReadonlyArray<{ file: string; missing: boolean }>): StationError {
  const missing = problems.some((problem) => problem.missing);
  const files = problems.map((problem) => `${path.basename(problem.file)} (${problem.missing ? 'missing' : 'sha256 does not match'})`).join(', ');
  return new StationError(
    missing ? 'MODEL_MISSING' : 'MODEL_CHECKSUM',
    `The face models in ${path.dirname(manifest.path)} are ${missing ? 'incomplete' : 'damaged or were changed'}: ${files}. ` +
      'The engine was not started. Reinstall Enrollment Station to restore them (in a source checkout: `npm run models`).',
  );
}
