import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { vi } from 'vitest';
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

function sourceDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) hash.update(full).update(fs.readFileSync(full));
    }
  };
  walk(path.join(repoRoot, 'src', 'engine'));
  walk(path.join(repoRoot, 'src', 'shared'));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Compiles the engine into a private folder for child processes (the crash, disk-full and lock tests), so a
 * stale or half-written dist/ from someone else's build cannot get in the way. The folder is named after a
 * digest of the sources and made by rename, so test files running in parallel share one build safely. It
 * lives under node_modules so the compiled files resolve the project's packages.
 */
export function buildEngineForChildren(): string {
  if (built) return built;
  const cache = path.join(repoRoot, 'node_modules', '.cache');
  const finalDir = path.join(cache, `station-test-build-${sourceDigest()}`);
  const ready = (dir: string) => ['engine/store/queue-store.js', 'engine/sync/engine.js', 'engine/sync/bws-transport.js'].every((file) => fs.existsSync(path.join(dir, file)));
  if (!ready(finalDir)) {
    const outDir = path.join(cache, `station-test-build-tmp-${process.pid}-${Date.now()}`);
    try {
      // Only the modules the child runners load (and what they import): half the work of the whole engine.
      const entries = ['store/queue-store.ts', 'store/keys.ts', 'sync/engine.ts', 'sync/lock.ts', 'sync/bws-transport.ts'].map((file) => path.join('src', 'engine', file));
      const options = ['--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2023', '--esModuleInterop', '--resolveJsonModule', '--skipLibCheck', '--types', 'node', '--rootDir', 'src', '--outDir', outDir];
      execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), ...options, ...entries], { cwd: repoRoot, stdio: 'pipe' });
    } catch {
      // Type errors elsewhere in the tree still emit JavaScript; what matters is that our modules exist.
    }
    if (!ready(outDir)) throw new Error('The engine build did not produce the store and sync modules');
    try {
      fs.renameSync(outDir, finalDir);
    } catch {
      // another test file finished the same build first: use theirs
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }
  built = finalDir;
  return finalDir;
}

/** Counts every `fs.fdatasync` (the queue's WAL flushes); the real calls run unchanged (undo: vi.restoreAllMocks). */
export function recordWalSyncs(): { done: number; started: number } {
  const counts = { done: 0, started: 0 };
  const datasync = fs.fdatasync.bind(fs);
  vi.spyOn(fs, 'fdatasync').mockImplementation((fd: number, callback: fs.NoParamCallback) => {
    counts.started += 1;
    datasync(fd, (error) => {
      counts.done += 1;
      callback(error);
    });
  });
  return counts;
}
