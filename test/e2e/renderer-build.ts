import path from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * The renderer built with the app's real Vite settings into `outDir` (the bundle test owns out/). Served by
 * the bridge server with the app's CSP.
 */
export async function buildRenderer(outDir: string): Promise<void> {
  await build({ configFile: false, logLevel: 'error', root: path.join(repo, 'src/renderer'), base: './', plugins: [react()], build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 2048 } });
}
