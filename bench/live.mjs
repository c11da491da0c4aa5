// npm run bench:live — live guidance through the browser harness next to the engine's bare fast path (see
// bench/live.ts). The harness is TypeScript shared with the browser tests; a Vite module runner loads it from
// source, as vitest does, and stays open for the whole run (the engine imports its live module on the first
// frame, long after start).
import { fileURLToPath } from 'node:url';
import { createServer, createServerModuleRunner } from 'vite';

const server = await createServer({ configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, ws: false } });
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
try {
  const module = await runner.import(fileURLToPath(new URL('./live.ts', import.meta.url)));
  await module.main();
} finally {
  await runner.close();
  await server.close();
}
