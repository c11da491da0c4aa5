#!/usr/bin/env node
// The floor of a whole `station analyze` process, for `npm run bench:vision` (run it as its own process and
// time it from the outside): a bare script that loads the six shipped model files as plain onnxruntime
// sessions on the main thread, one after another (the same session options as the engine: 2 intra-op
// threads, no spinning), then for every photo given: sharp decode of the whole file to raw RGB (rotation
// applied) and one session.run of each model on a fixed tensor of its input shape (the eye model twice).
// Nothing else: no checks, no crops, no output beyond one line on stderr (which says when onnxruntime and sharp
// were loaded and how long the six sessions took to create: the cold figure, the first sessions of a process).
//   node bench/floor-process.mjs <photo...>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'models', 'manifest.json'), 'utf8'));
const options = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};
const sessions = {};
const inputs = {};
const loaded = performance.now();
for (const [role, entry] of Object.entries(manifest.models)) {
  sessions[role] = await ort.InferenceSession.create(path.join(root, 'models', entry.file), options);
  const [name, dims] = Object.entries(entry.inputs)[0];
  inputs[role] = { [name]: new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.1), dims) };
}
const created = performance.now();
for (const file of process.argv.slice(2)) {
  await sharp(fs.readFileSync(file)).rotate().removeAlpha().raw().toBuffer();
  for (const role of ['detector', 'landmarks', 'embedding', 'liveness', 'pose', 'eyes', 'eyes']) await sessions[role].run(inputs[role]);
}
process.stderr.write(`floor: ${process.argv.length - 2} photo(s); onnxruntime and sharp loaded at ${loaded.toFixed(0)} ms; six sessions created in ${(created - loaded).toFixed(0)} ms\n`);
