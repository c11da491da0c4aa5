// npm run bench:live — live guidance through the browser harness next to the engine's bare fast path (see
// bench/live.ts). The harness is TypeScript shared with the browser tests; Vite's module runner loads it
// from source, as vitest does, so nothing is built twice.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const { module } = await runnerImport(fileURLToPath(new URL('./live.ts', import.meta.url)));
await module.main();
