// `node renderer-build-run.mjs <outDir>`: the renderer's production build for the browser tests (see renderer-build.ts).
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

const repo = path.resolve(import.meta.dirname, '../..');
await build({ configFile: false, logLevel: 'error', root: path.join(repo, 'src/renderer'), base: './', plugins: [react()], build: { outDir: process.argv[2], emptyOutDir: true, chunkSizeWarningLimit: 2048 } });
