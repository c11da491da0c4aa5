// npm run bench:vision — the vision engine's speed and memory on ../shared/faces (compiled engine from dist/).
// Prints median and p90 ms per stage and end to end for stills and 640x480 frames, the floor measured in the
// same run (sharp decode of the whole file to raw RGB with rotation + one bare session.run per model on a
// fixed tensor, the eye model twice), the ratio, model loading time, and RSS after 10 vs 1,000 images.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { createVisionEngine } from '../dist/engine/vision/index.js';
import { createSessions, releaseSessions } from '../dist/engine/vision/sessions.js';
import { loadManifest, verifyModels } from '../dist/engine/models/manifest.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const facesDir = path.resolve(root, '../shared/faces');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MEMORY_IMAGES = Number(process.env.BENCH_MEMORY_IMAGES ?? 1000);
sharp.cache(false);

const photos = fs.readdirSync(facesDir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((name) => ({ name, bytes: fs.readFileSync(path.join(facesDir, name)) }));
const manifest = loadManifest();

const quantile = (values, q) => {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};
const fmt = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const table = (headers, rows) => {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  return cells.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
};

// Fixed tensors of each model's input shape, for the floor.
const fixed = {};
for (const [role, entry] of Object.entries(manifest.models)) {
  const [name, dims] = Object.entries(entry.inputs)[0];
  fixed[role] = { name, tensor: new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.1), dims) };
}
async function floorOnce(sessions, bytes) {
  const t0 = performance.now();
  await sharp(bytes).rotate().removeAlpha().raw().toBuffer();
  const t1 = performance.now();
  for (const role of ['detector', 'landmarks', 'embedding', 'liveness', 'pose', 'eyes', 'eyes']) {
    await sessions[role].run({ [fixed[role].name]: fixed[role].tensor });
  }
  return { decode: t1 - t0, models: performance.now() - t1, total: performance.now() - t0 };
}

async function frames() {
  const out = [];
  for (const p of photos) {
    const { data, info } = await sharp(p.bytes).rotate().resize(640, 480, { fit: 'cover', position: 'attention' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    out.push({ name: p.name, frame: { width: info.width, height: info.height, data: new Uint8Array(data) } });
  }
  return out;
}

async function loadTime(threads) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const engine = await createVisionEngine({ manifest, threads, skipVerify: true });
    times.push(performance.now() - t0);
    await engine.close();
  }
  return quantile(times, 0.5);
}

const t0 = performance.now();
verifyModels(manifest);
const verifyMs = performance.now() - t0;
const liveFrames = await frames();
const results = {};
for (const threads of [1, 2]) {
  const load = await loadTime(threads);
  const engine = await createVisionEngine({ manifest, threads, skipVerify: true });
  const floorSessions = await createSessions(manifest, threads);
  const stages = {};
  const e2e = [];
  const floor = { decode: [], models: [], total: [] };
  const frameTimes = [];
  // Warm-up: first runs allocate arenas.
  for (const p of photos.slice(0, 3)) {
    await engine.analyzeStill(p.bytes);
    await floorOnce(floorSessions, p.bytes);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of photos) {
      const timings = {};
      const s = performance.now();
      await engine.analyzeStill(p.bytes, { timings });
      e2e.push(performance.now() - s);
      for (const [k, v] of Object.entries(timings)) (stages[k] ??= []).push(v);
      const f = await floorOnce(floorSessions, p.bytes);
      for (const k of Object.keys(floor)) floor[k].push(f[k]);
    }
    for (const f of liveFrames) {
      const s = performance.now();
      await engine.analyzeFrame(f.frame);
      frameTimes.push(performance.now() - s);
    }
  }
  results[threads] = { load, stages, e2e, floor, frameTimes };
  await releaseSessions(floorSessions);
  await engine.close();
}

console.log(`\nVision bench: ${photos.length} photos x ${ROUNDS} rounds, ${liveFrames.length} 640x480 RGBA frames x ${ROUNDS}; ${(await import('node:os')).cpus().length} CPUs; load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
console.log(`Model files sha256 check: ${fmt(verifyMs)} ms (once per engine start)\n`);
const stageOrder = ['decode', 'decodeSmall', 'detect', 'landmarks', 'pose', 'align', 'embed', 'liveness', 'eyes', 'photometry', 'quality'];
const rows = [];
for (const stage of stageOrder) rows.push([stage, ...[1, 2].flatMap((t) => [fmt(quantile(results[t].stages[stage] ?? [], 0.5)), fmt(quantile(results[t].stages[stage] ?? [], 0.9))])]);
rows.push(['END TO END (still)', ...[1, 2].flatMap((t) => [fmt(quantile(results[t].e2e, 0.5)), fmt(quantile(results[t].e2e, 0.9))])]);
rows.push(['floor: decode', ...[1, 2].flatMap((t) => [fmt(quantile(results[t].floor.decode, 0.5)), fmt(quantile(results[t].floor.decode, 0.9))])]);
rows.push(['floor: bare session.run x7', ...[1, 2].flatMap((t) => [fmt(quantile(results[t].floor.models, 0.5)), fmt(quantile(results[t].floor.models, 0.9))])]);
rows.push(['FLOOR (decode + runs)', ...[1, 2].flatMap((t) => [fmt(quantile(results[t].floor.total, 0.5)), fmt(quantile(results[t].floor.total, 0.9))])]);
rows.push(['LIVE FRAME 640x480', ...[1, 2].flatMap((t) => [fmt(quantile(results[t].frameTimes, 0.5)), fmt(quantile(results[t].frameTimes, 0.9))])]);
rows.push(['model loading (6 sessions)', ...[1, 2].flatMap((t) => [fmt(results[t].load), ''])]);
console.log(table(['ms', '1 thread p50', 'p90', '2 threads p50', 'p90'], rows));
for (const t of [1, 2]) {
  const ratio = quantile(results[t].e2e, 0.5) / quantile(results[t].floor.total, 0.5);
  // Per-image ratio too: medians of different distributions can hide a slow image class.
  const perImage = results[t].e2e.map((v, i) => v / results[t].floor.total[i]);
  console.log(`${t} thread(s): stills end-to-end / floor = ${ratio.toFixed(2)} (median of per-image ratios ${quantile(perImage, 0.5).toFixed(2)}; target <= 1.3); live frame median ${fmt(quantile(results[t].frameTimes, 0.5))} ms (target <= 25)`);
}
const best = quantile(results[1].e2e, 0.5) <= quantile(results[2].e2e, 0.5) ? 1 : 2;
console.log(`Faster here: ${best} intra-op thread(s).`);

// Memory: RSS after 10 vs after N images (sharp's cache off, so this measures the pipeline).
const engine = await createVisionEngine({ manifest, threads: best, skipVerify: true });
let rss10 = 0;
for (let i = 0; i < MEMORY_IMAGES; i++) {
  await engine.analyzeStill(photos[i % photos.length].bytes);
  if (i === 9) rss10 = process.memoryUsage().rss;
}
const rssN = process.memoryUsage().rss;
await engine.close();
console.log(`RSS after 10 images ${(rss10 / 1048576).toFixed(0)} MB, after ${MEMORY_IMAGES}: ${(rssN / 1048576).toFixed(0)} MB (growth ${((rssN - rss10) / 1048576).toFixed(0)} MB; target <= 50)`);
