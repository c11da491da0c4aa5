import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests never load the real Electron (there is no binary on build machines): the shell's tests run
    // against a recording stub with the same surface.
    alias: { electron: fileURLToPath(new URL('./test/stubs/electron.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Native modules (onnxruntime, sharp, SQLite) are happiest in child processes rather than worker threads.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
