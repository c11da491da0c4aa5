import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * The renderer built with the app's real Vite settings into `outDir` (the bundle test owns out/). Served by
 * the bridge server with the app's CSP.
 *
 * Built in a process of its own with NODE_ENV=production, as the app's build (`electron-vite build`) is:
 * Vite keeps the NODE_ENV it finds, and the processes that call this (vitest: "test", the live benchmark's
 * module runner: "development") would otherwise get React's development build, which renders several times
 * slower than the one the station ships.
 */
export async function buildRenderer(outDir: string): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(import.meta.dirname, 'renderer-build-run.mjs'), outDir], { cwd: repo, env: { ...process.env, NODE_ENV: 'production' } });
}
