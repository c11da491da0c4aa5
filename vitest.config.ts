import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that load the models or drive the CLI, a gRPC service or Chromium many times take most of the run.
 * They start first, so that two of them never end up last on their own while the quick files have long finished
 * (the suite's wall time is then about the heavy files' time divided by the workers, not their sum).
 */
const HEAVY_FIRST = ['test/headless/', 'test/bws/', 'test/vision/', 'test/sync/', 'test/build/'];

class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = HEAVY_FIRST.findIndex((folder) => file.moduleId.includes(`/${folder}`));
      return index === -1 ? HEAVY_FIRST.length : index;
    };
    const sorted = await super.sort(files);
    return sorted.map((file, order) => ({ file, order })).sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order).map(({ file }) => file);
  }
}

const BROWSER_TESTS = 'test/e2e/**/*.test.ts';

export default defineConfig({
  resolve: {
    // Tests never load the real Electron (there is no binary on build machines): the shell's tests run
    // against a recording stub with the same surface.
    alias: { electron: fileURLToPath(new URL('./test/stubs/electron.ts', import.meta.url)) },
  },
  test: {
    // Native modules (onnxruntime, sharp, SQLite) are happiest in child processes rather than worker threads.
    pool: 'forks',
    // Two cores: one file per core. Tests that start child processes (the CLI, a service) add their own load,
    // so more workers would only make every file slower.
    maxWorkers: 2,
    fileParallelism: true,
    sequence: { sequencer: HeavyFirstSequencer },
    // Hang guards only, never performance checks: on a loaded 2-core machine a test that spawns the CLI a few
    // times (each loading the models) can take minutes. Tests wait for conditions, not for fixed times.
    testTimeout: 240_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: [BROWSER_TESTS] } },
      {
        extends: true,
        test: {
          // `npm run test:e2e`. One browser file at a time, after the node files: each one already keeps both
          // cores busy (Chromium decoding the fake camera and drawing frames, the engine analysing them), so two
          // at once only halve each other's frame rate and stretch every wait. The renderer is built once per run.
          name: 'browser',
          include: [BROWSER_TESTS],
          fileParallelism: false,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
