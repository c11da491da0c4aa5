#!/usr/bin/env node
// `station`: runs the engine's compiled JavaScript (built by `npm install`/`npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/engine/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('station: the engine is not built yet. Run `npm run build:engine` (npm install does this for you).\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
