// npm run bench:vision — the vision engine's speed and memory on ../shared/faces (compiled engine from dist/).
// Prints median and p90 ms per stage and end to end for stills and 640x480 frames, the floor measured in the
// same run (sharp decode of the whole file to raw RGB with rotation + one bare session.run per model on a
// fixed tensor, the eye model twice; plain sessions of the shipped model files on this thread), the ratio
// (of medians, and the median of per-image ratios, each still timed right next to its own floor), model
// loading time, engine start with the model sha256 check (full hash vs remembered), and RSS after 10 vs
// 1,000 images. The machine may be shared: compare runs by the ratios, not by absolute times.
// Then whole processes, timed from outside (spawn to exit), in rotating order so load hits all alike:
//  - cold start: `station analyze --json` on one photo, and the engine process's path (createStation, as the
//    app's engine process does, then the first analyzeStill), against the floor process (bench/floor-process.mjs:
//    load the six sessions, decode the photo, run each model once); target 1.3x. The app's engine process is
//    timed twice: its steps from dist/ in plain Node, and the shipped bundle (out/main/engine-process.js,
//    built by electron-vite) played as Electron's utility process (parent port, main's port, init, analyzeStill).
//  Each process's CPU time (all threads, bench/cpu-report.mjs preloaded) is printed too: under load it is far
//  steadier than wall time, which then mostly measures waiting for a core.
//  - CLI path: `station analyze --json` on 20 photos against the floor process on the same 20; target 1.2x.
// Env: BENCH_ROUNDS (5), BENCH_MEMORY_IMAGES (1000), BENCH_THREADS ("1,2"), BENCH_PROCESS_RUNS (7),
// BENCH_ONLY=process (only the whole-process part), BENCH_BASELINE_DIST (another build's dist/, with bin/ and
// models/ beside it: its CLI and engine start are timed in the same rounds, for before/after).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

if (process.argv[2] === '--engine-start') {
  // Child: the app's engine process path in plain Node (the same steps as its entry: the model check, then
  // createStation on a data folder with a key handed over), then the first analysis, as the UI asks for it.
  const distDir = path.resolve(process.argv[3]);
  // The engine process's own model check first, as src/engine/host/engine-process.ts does it in each build:
  // a build with startInstalledModelsEarly checks once (remembered) and loads from that check; older builds
  // hashed every file (assertModelsInstalled) and then checked again to load.
  const modelsStart = await import(pathToFileURL(path.join(distDir, 'engine/vision/models-start.js')).href);
  if (modelsStart.startInstalledModelsEarly) modelsStart.startInstalledModelsEarly();
  else {
    const { assertModelsInstalled, loadManifest } = await import(pathToFileURL(path.join(distDir, 'engine/models/manifest.js')).href);
    assertModelsInstalled(loadManifest());
  }
  const { createStation } = await import(pathToFileURL(path.join(distDir, 'engine/station.js')).href);
  const { StaticKeyProvider } = await import(pathToFileURL(path.join(distDir, 'engine/store/keys.js')).href);
  const key = Buffer.alloc(32, 7);
  const station = await createStation({ dataDir: process.argv[4], keyProvider: new StaticKeyProvider(key, 'bench'), env: {} });
  const result = await station.analyzeStill({ name: path.basename(process.argv[5]), bytes: fs.readFileSync(process.argv[5]) });
  process.stderr.write(`first result: ${result.faces.length} face(s)\n`);
  await station.close();
  process.exit(0);
}

if (process.argv[2] === '--engine-bundle') {
  // Child: the app's engine process as the app ships it (electron-vite's bundle, out/main/engine-process.js),
  // played in plain Node: the parent port Electron gives a utility process, main's port and init (a data
  // folder and its key), then the first analysis. The bundle's own start-up order is what is timed.
  const [entry, dataDir, photo] = process.argv.slice(3);
  const { EventEmitter } = await import('node:events');
  const { MessageChannel } = await import('node:worker_threads');
  const parent = new EventEmitter();
  process.parentPort = { on: (event, listener) => parent.on(event, listener) };
  await import(pathToFileURL(entry).href);
  const { port1, port2 } = new MessageChannel();
  const mainSide = { postMessage: (message) => port2.postMessage(message), on: (event, listener) => port2.on(event, (data) => listener({ data, ports: [] })), off() {}, start() {} };
  parent.emit('message', { data: { t: 'port' }, ports: [mainSide] });
  port1.on('message', (message) => {
    if (message.t === 'ready') port1.postMessage({ t: 'req', id: 1, method: 'analyzeStill', args: [{ name: path.basename(photo), bytes: new Uint8Array(fs.readFileSync(photo)) }] });
    else if (message.t === 'res' && message.ok) {
      process.stderr.write(`first result: ${message.value.faces.length} face(s)\n`);
      process.exit(0);
    } else {
      process.stderr.write(`engine process: ${JSON.stringify(message).slice(0, 400)}\n`);
      process.exit(1);
    }
  });
  port1.postMessage({ t: 'init', dataDir, key: new Uint8Array(32).fill(7) });
  await new Promise(() => {}); // ended by process.exit above
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { default: sharp } = await import('sharp');
const ort = await import('onnxruntime-node');
const { createVisionEngine } = await import('../dist/engine/vision/index.js');
const { sessionOptions } = await import('../dist/engine/vision/sessions.js');
const { resolveModelFiles } = await import('../dist/engine/vision/model-files.js');
const { loadManifest, modelFilePath, verifyModels } = await import('../dist/engine/models/manifest.js');

const facesDir = path.resolve(root, '../shared/faces');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MEMORY_IMAGES = Number(process.env.BENCH_MEMORY_IMAGES ?? 1000);
const THREADS = (process.env.BENCH_THREADS ?? '1,2').split(',').map(Number).filter((t) => t === 1 || t === 2);
sharp.cache(false);
const ONLY_PROCESS = process.env.BENCH_ONLY === 'process';

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

if (!ONLY_PROCESS) await inProcess();
await wholeProcesses();

async function inProcess() {
// Fixed tensors of each model's input shape, for the floor.
const fixed = {};
for (const [role, entry] of Object.entries(manifest.models)) {
  const [name, dims] = Object.entries(entry.inputs)[0];
  fixed[role] = { name, tensor: new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.1), dims) };
}
/** The floor's sessions: the shipped model files as they are, on this thread (the engine runs its own). */
async function floorSessions(threads) {
  const sessions = {};
  for (const role of Object.keys(manifest.models)) sessions[role] = await ort.InferenceSession.create(modelFilePath(manifest, role), sessionOptions(threads));
  return sessions;
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

// Engine start: the full sha256 check (what `station doctor` does, and every start did before the check was
// remembered) vs the remembered check (size, mtime, ctime, inode unchanged), and a whole verified start.
const startTimes = { full: [], remembered: [], engine: [] };
resolveModelFiles(manifest); // makes sure the remembered facts exist
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  verifyModels(manifest);
  startTimes.full.push(performance.now() - t);
  t = performance.now();
  resolveModelFiles(manifest);
  startTimes.remembered.push(performance.now() - t);
  t = performance.now();
  const started = await createVisionEngine({ manifest });
  startTimes.engine.push(performance.now() - t);
  await started.close();
}
const liveFrames = await frames();
const results = {};
for (const threads of THREADS) {
  const load = await loadTime(threads);
  const engine = await createVisionEngine({ manifest, threads, skipVerify: true });
  const floorSess = await floorSessions(threads);
  const stages = {};
  const e2e = [];
  const floor = { decode: [], models: [], total: [] };
  const frameTimes = [];
  // Warm-up: first runs allocate arenas.
  for (const p of photos.slice(0, 3)) {
    await engine.analyzeStill(p.bytes);
    await floorOnce(floorSess, p.bytes);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of photos) {
      const timings = {};
      const s = performance.now();
      await engine.analyzeStill(p.bytes, { timings });
      e2e.push(performance.now() - s);
      for (const [k, v] of Object.entries(timings)) (stages[k] ??= []).push(v);
      const f = await floorOnce(floorSess, p.bytes);
      for (const k of Object.keys(floor)) floor[k].push(f[k]);
    }
    for (const f of liveFrames) {
      const s = performance.now();
      await engine.analyzeFrame(f.frame);
      frameTimes.push(performance.now() - s);
    }
  }
  results[threads] = { load, stages, e2e, floor, frameTimes };
  for (const session of Object.values(floorSess)) await session.release();
  await engine.close();
}

console.log(`\nVision bench: ${photos.length} photos x ${ROUNDS} rounds, ${liveFrames.length} 640x480 RGBA frames x ${ROUNDS}; ${(await import('node:os')).cpus().length} CPUs; load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
console.log(
  `Engine start, model sha256 check: full hash ${fmt(quantile(startTimes.full, 0.5))} ms (station doctor; every start before), remembered ${fmt(quantile(startTimes.remembered, 0.5))} ms; whole verified start ${fmt(quantile(startTimes.engine, 0.5))} ms\n`,
);
// Model stages run on the engine's inference worker from launch to result; the JavaScript crops
// (poseInput, align, livenessInput, eyesInput, photometry) are cut meanwhile, so stages overlap.
const stageOrder = ['decode', 'detectInput', 'detect', 'landmarks', 'poseInput', 'pose', 'align', 'embed', 'livenessInput', 'eyesInput', 'photometry', 'liveness', 'eyes', 'quality'];
const rows = [];
const both = (f) => THREADS.flatMap((t) => f(results[t]));
const pair = (values) => [fmt(quantile(values, 0.5)), fmt(quantile(values, 0.9))];
for (const stage of stageOrder) rows.push([stage, ...both((r) => pair(r.stages[stage] ?? []))]);
rows.push(['END TO END (still)', ...both((r) => pair(r.e2e))]);
rows.push(['floor: decode', ...both((r) => pair(r.floor.decode))]);
rows.push(['floor: bare session.run x7', ...both((r) => pair(r.floor.models))]);
rows.push(['FLOOR (decode + runs)', ...both((r) => pair(r.floor.total))]);
rows.push(['LIVE FRAME 640x480', ...both((r) => pair(r.frameTimes))]);
rows.push(['model loading (6 sessions)', ...both((r) => [fmt(r.load), ''])]);
console.log(table(['ms', ...THREADS.flatMap((t) => [`${t} thread${t > 1 ? 's' : ''} p50`, 'p90'])], rows));
for (const t of THREADS) {
  const ratio = quantile(results[t].e2e, 0.5) / quantile(results[t].floor.total, 0.5);
  // Per-image ratio too: medians of different distributions can hide a slow image class.
  const perImage = results[t].e2e.map((v, i) => v / results[t].floor.total[i]);
  console.log(`${t} thread(s): stills end-to-end / floor = ${ratio.toFixed(2)} (median of per-image ratios ${quantile(perImage, 0.5).toFixed(2)}; target <= 1.3); live frame median ${fmt(quantile(results[t].frameTimes, 0.5))} ms (target <= 25)`);
}
const best = THREADS.reduce((a, b) => (quantile(results[a].e2e, 0.5) <= quantile(results[b].e2e, 0.5) ? a : b));
if (THREADS.length > 1) console.log(`Faster here: ${best} intra-op thread(s).`);

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
}

/**
 * Whole processes timed from outside: spawn to exit, the same way a shell's `time` sees them. One round runs
 * every subject once, starting at a different subject each round.
 */
async function wholeProcesses() {
  const runs = Number(process.env.BENCH_PROCESS_RUNS ?? 7);
  const one = path.join(facesDir, 'obama.jpg');
  const twenty = photos.slice(0, 20).map((p) => path.join(facesDir, p.name));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-bench-vision-'));
  const builds = [{ label: 'station', dist: path.join(root, 'dist') }];
  if (process.env.BENCH_BASELINE_DIST) builds.push({ label: 'baseline', dist: path.resolve(process.env.BENCH_BASELINE_DIST) });
  const binOf = (dist) => path.join(dist, '..', 'bin', 'station.js');
  const env = { ...process.env, STATION_DATA_DIR: dataDir };
  const subjects = [
    { name: 'floor process, 1 photo', args: [path.join(root, 'bench', 'floor-process.mjs'), one] },
    { name: 'floor process, 20 photos', args: [path.join(root, 'bench', 'floor-process.mjs'), ...twenty] },
  ];
  for (const build of builds) {
    const tag = build.label === 'station' ? '' : ' (baseline build)';
    subjects.push({ name: `station analyze --json, 1 photo${tag}`, args: [binOf(build.dist), 'analyze', '--json', one] });
    subjects.push({ name: `engine process start -> first analyzeStill${tag}`, args: [fileURLToPath(import.meta.url), '--engine-start', build.dist, path.join(dataDir, `engine-${build.label}`), one] });
    subjects.push({ name: `station analyze --json, 20 photos${tag}`, args: [binOf(build.dist), 'analyze', '--json', ...twenty] });
  }
  // The app's engine process as shipped (bundled by electron-vite; `npm run bench:vision` builds it first).
  const bundle = path.join(root, 'out', 'main', 'engine-process.js');
  const bundled = 'app engine process (bundled) -> first analyzeStill';
  if (fs.existsSync(bundle)) subjects.push({ name: bundled, args: [fileURLToPath(import.meta.url), '--engine-bundle', bundle, path.join(dataDir, 'engine-bundle'), one] });
  const times = new Map(subjects.map((s) => [s.name, []]));
  const cpu = new Map(subjects.map((s) => [s.name, []]));
  // The floor process's own account of creating its six sessions: the first ones of a process (cold).
  const sessionsCold = [];
  const modulesLoaded = [];
  const floorNote = (stderr) => {
    const found = /loaded at (\d+) ms; six sessions created in (\d+) ms/.exec(stderr);
    if (found) {
      modulesLoaded.push(Number(found[1]));
      sessionsCold.push(Number(found[2]));
    }
  };
  const loads = [];
  // Once untimed: model checks remembered, rewritten copies made, files in the page cache.
  for (const subject of subjects) await timeProcess(subject.args, env);
  for (let round = 0; round < runs; round++) {
    loads.push(os.loadavg()[0]);
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[(round + k) % subjects.length];
      times.get(subject.name).push(await timeProcess(subject.args, env, cpu.get(subject.name), subject.name.startsWith('floor') ? floorNote : null));
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  const med = (name) => quantile(times.get(name), 0.5);
  console.log(`\nWhole processes, spawn to exit, ${runs} rounds in rotating order; load average during the rounds ${loads.map((l) => l.toFixed(1)).join(' ')} (uptime ${(os.uptime() / 60).toFixed(0)} min)`);
  console.log(table(['process', 'wall p50 ms', 'min ms', 'max ms', 'CPU p50 ms'], subjects.map((s) => [s.name, fmt(med(s.name)), fmt(Math.min(...times.get(s.name))), fmt(Math.max(...times.get(s.name))), fmt(quantile(cpu.get(s.name), 0.5))])));
  console.log(`Inside the floor processes: onnxruntime and sharp loaded ${fmt(quantile(modulesLoaded, 0.5))} ms after process start; creating the six sessions (the first of a process) ${fmt(quantile(sessionsCold, 0.5))} ms (p50; min ${fmt(Math.min(...sessionsCold))}, max ${fmt(Math.max(...sessionsCold))})`);
  const ratio = (name, floor) => {
    // Per-round ratios too: a round's subject and floor ran next to each other.
    const perRound = times.get(name).map((v, i) => v / times.get(floor)[i]);
    const cpuRatio = quantile(cpu.get(name), 0.5) / quantile(cpu.get(floor), 0.5);
    return `${(med(name) / med(floor)).toFixed(2)} (median of per-round ratios ${quantile(perRound, 0.5).toFixed(2)}; CPU time ${cpuRatio.toFixed(2)})`;
  };
  for (const build of builds) {
    const tag = build.label === 'station' ? '' : ' (baseline build)';
    console.log(`COLD START${tag}: station analyze, 1 photo / floor = ${ratio(`station analyze --json, 1 photo${tag}`, 'floor process, 1 photo')}; engine process / floor = ${ratio(`engine process start -> first analyzeStill${tag}`, 'floor process, 1 photo')} (target 1.3)`);
    if (!tag && times.has(bundled)) console.log(`COLD START, the app's engine process as shipped: bundled entry / floor = ${ratio(bundled, 'floor process, 1 photo')} (target 1.3)`);
    console.log(`CLI PATH${tag}: station analyze, 20 photos / floor = ${ratio(`station analyze --json, 20 photos${tag}`, 'floor process, 20 photos')} (target 1.2)`);
  }
}

/**
 * Wall time of one process, spawn to exit; its CPU time (all threads) is pushed to `cpu` when given, and its
 * stderr handed to `note` when given.
 */
function timeProcess(args, env, cpu = null, note = null) {
  const cpuPreload = pathToFileURL(path.join(root, 'bench', 'cpu-report.mjs')).href;
  const cpuFile = path.join(os.tmpdir(), `station-bench-cpu-${process.pid}.txt`);
  fs.rmSync(cpuFile, { force: true });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', cpuPreload, ...args], { env: { ...env, BENCH_CPU_FILE: cpuFile }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const elapsed = performance.now() - started;
      if (code !== 0 && code !== 3) return reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}: ${stderr.slice(-400)}`));
      if (cpu) cpu.push(Number(fs.readFileSync(cpuFile, 'utf8').trim().split('\n').pop()));
      note?.(stderr);
      resolve(elapsed);
    });
  });
}
