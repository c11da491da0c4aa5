import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { QueueStore } from '../../src/engine/store/queue-store.js';
import type { EnqueueImage } from '../../src/engine/store/queue-types.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

export const newKey = (): string => randomBytes(32).toString('base64');

export async function openStore(dataDir: string, envKey: string, options: { now?: () => number; create?: boolean } = {}): Promise<QueueStore> {
  return QueueStore.open({ dataDir, keyProvider: new HeadlessKeyProvider({ envKey }), create: options.create ?? true, ...(options.now ? { now: options.now } : {}) });
}

/** A fresh data folder with an open store. */
export async function freshStore(options: { now?: () => number } = {}): Promise<{ dir: string; key: string; store: QueueStore }> {
  const dir = tempDir('station-queue-');
  const key = newKey();
  return { dir, key, store: await openStore(dir, key, options) };
}

/** Small synthetic "images": random bytes behind a JPEG signature (vision is not the point here). */
export function syntheticImage(name: string, size = 2_000): EnqueueImage {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return { name, bytes, sourceSha256: null, analysis: { accepted: true, checks: 3 } };
}

let built: string | null = null;

/**
 * Compiles the engine into a private folder for child processes (the crash, disk-full and lock tests), so a
 * stale or half-written dist/ from someone else's build cannot get in the way. It lives under node_modules so
 * the compiled files resolve the project's packages.
 */
export function buildEngineForChildren(): string {
  if (built) return built;
  const outDir = path.join(repoRoot, 'node_modules', '.cache', `station-test-build-${process.pid}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.node.json', '--outDir', outDir, '--sourceMap', 'false'], { cwd: repoRoot, stdio: 'pipe' });
  } catch {
    // Type errors elsewhere in the tree still emit JavaScript; what matters is that our modules exist.
  }
  for (const file of ['engine/store/queue-store.js', 'engine/sync/engine.js']) {
    if (!fs.existsSync(path.join(outDir, file))) throw new Error(`The engine build did not produce ${file}`);
  }
  built = outDir;
  return outDir;
}
