import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ModelManifest, defaultManifestPath, loadManifest } from '../../src/engine/models/manifest.js';

/**
 * A second encoder version for upgrade tests: a copy of the default manifest whose embedding entry has a
 * higher `encoderVersion`, the same model files (absolute paths), and optionally the flip-averaged embedding
 * (a real derived encoder: its vectors differ). Written once per content into the temp folder, so the
 * models' verified-hash record and rewritten copies next to it are reused by later runs.
 */
export function encoderManifest(options: { encoderVersion: number; flipAverage?: boolean }): ModelManifest {
  const base = defaultManifestPath({});
  const copy = JSON.parse(fs.readFileSync(base, 'utf8')) as { models: Record<string, { file: string; encoderVersion?: number; postprocess?: Record<string, unknown> }> };
  for (const entry of Object.values(copy.models)) entry.file = path.resolve(path.dirname(base), entry.file);
  copy.models.embedding!.encoderVersion = options.encoderVersion;
  if (options.flipAverage) copy.models.embedding!.postprocess = { ...copy.models.embedding!.postprocess, flipAverage: true };
  const text = JSON.stringify(copy, null, 2);
  const dir = path.join(os.tmpdir(), 'station-test-encoders', createHash('sha256').update(text).digest('hex').slice(0, 16));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  return loadManifest(file);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}
