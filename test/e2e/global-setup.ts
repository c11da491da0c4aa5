import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildRenderer } from './renderer-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The renderer built once for the whole browser run (every file serves the same bundle). */
    rendererDir: string;
  }
}

/** Builds the renderer once per run, for every browser test file, and removes it afterwards. */
export default async function setup(project: TestProject): Promise<() => void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-renderer-'));
  const rendererDir = path.join(work, 'renderer');
  await buildRenderer(rendererDir);
  project.provide('rendererDir', rendererDir);
  return () => fs.rmSync(work, { recursive: true, force: true });
}
