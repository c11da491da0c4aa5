import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * Three bundles, one per runtime:
 *  - main: the Electron main process and the engine's utilityProcess entry (ESM, out/main/). The native
 *    modules stay external: they are loaded from node_modules at run time (and unpacked from the asar when
 *    packaged), never inlined.
 *  - preload: CommonJS, fully bundled, because a sandboxed preload cannot load modules from disk.
 *  - renderer: the React app (out/renderer/), served over app:// with a strict CSP.
 */
const NATIVE_MODULES = ['better-sqlite3-multiple-ciphers', 'onnxruntime-node', 'sharp'];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: { include: NATIVE_MODULES },
      rolldownOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          'engine-process': resolve(import.meta.dirname, 'src/engine/host/engine-process.ts'),
        },
        external: [...NATIVE_MODULES, ...NATIVE_MODULES.map((name) => new RegExp(`^${name}/`))],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});
