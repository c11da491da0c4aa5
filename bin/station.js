#!/usr/bin/env node
// `station`: runs the engine's compiled JavaScript (built by `npm install`/`npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/engine/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('station: the engine is not built yet. Run `npm run build:engine` (npm install does this for you).\n');
  process.exit(1);
}
// Commands that analyse photos start loading the models first thing, on the inference worker, so that loading
// overlaps the rest of the start-up (the command line parser, sharp, the data folder); the command's vision
// engine takes them. Only a quick look at the arguments here: the parser proper decides everything else.
const args = process.argv.slice(2);
const command = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '--data-dir');
if (['analyze', 'enroll', 'import'].includes(command ?? '') && !args.includes('--help') && !args.includes('-h')) {
  const { startModelsEarly } = await import(new URL('../dist/engine/vision/models-start.js', import.meta.url).href);
  startModelsEarly();
}
const { main } = await import(entry.href);
await main(process.argv);
