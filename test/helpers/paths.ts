import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from src through vitest). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared photos live beside the repository (CI checks out main with shared/ next to it). */
export const facesDir = path.resolve(repoRoot, '..', 'shared', 'faces');

export function face(name: string): string {
  return path.join(facesDir, name);
}

/** A fresh temporary folder, removed by the caller's cleanup (or left for the OS to clear). */
export function tempDir(prefix = 'station-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The compiled CLI (built by `npm install`'s prepare step, or by the global setup before tests). */
export const stationBin = path.join(repoRoot, 'bin', 'station.js');
