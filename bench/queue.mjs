#!/usr/bin/env node
// Queue benchmark (issue 5): npm run bench:queue   (builds the engine to dist/ first)
//  1. enqueue latency of a 3-image job (median, p99)
//  2. drain throughput through the sync engine to a store-only local BWS service, against plain grpc-js unary
//     Enroll calls with the same payload to the same server at the same concurrency (ratio; target >= 0.8)
//  3. capacity: open time and list-query times with 10,000 queued jobs of ~30 KB synthetic images
//  4. peak RSS of this process while draining that 10,000-job queue
// The service runs in a child process so the RSS is the station's alone. Options (env): BENCH_JOBS (drain
// jobs per round, default 300), BENCH_ROUNDS (counted drain rounds per side, default 5, after one warm-up round
// each), BENCH_CAPACITY (default 10000), BENCH_DRAIN_SECONDS (capacity drain window, default 30),
// BENCH_SKIP_CAPACITY=1 (sections 1-2 only), BENCH_DIST (another build's dist/ for the station side, to compare
// builds against the same service; it needs package.json and proto/ beside it).
// The machine may be shared: compare only numbers from runs taken in the same conditions (alternate them).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : path.join(root, 'dist');
const dist = (file) => import(pathToFileURL(path.join(distDir, file)).href);
const IMAGE_BYTES = 30_000;
const CONCURRENCY = 2;

function syntheticImage(size = IMAGE_BYTES) {
  const bytes = randomBytes(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  return bytes;
}

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (value) => `${value.toFixed(2)} ms`;

async function main() {
  const jobs = Number(process.env.BENCH_JOBS ?? 300);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const skipCapacity = process.env.BENCH_SKIP_CAPACITY === '1';
  const capacity = Number(process.env.BENCH_CAPACITY ?? 10_000);
  const drainSeconds = Number(process.env.BENCH_DRAIN_SECONDS ?? 30);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-bench-queue-'));
  const { QueueStore } = await dist('engine/store/queue-store.js');
  const { HeadlessKeyProvider } = await dist('engine/store/keys.js');
  const { SyncEngine } = await dist('engine/sync/engine.js');
  const { BwsTransport } = await dist('engine/sync/bws-transport.js');
  const credentials = { clientId: 'bench-client', key: randomBytes(64).toString('base64') };
  const server = fork(fileURLToPath(import.meta.url), ['--serve', path.join(work, 'service')], { env: { ...process.env, BENCH_CLIENT_ID: credentials.clientId, BENCH_KEY: credentials.key } });
  const port = await new Promise((resolve, reject) => {
    server.once('message', (message) => resolve(message.port));
    server.once('exit', (code) => reject(new Error(`the bench service exited (${code})`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const rows = [];
  const keyProvider = (dir) => new HeadlessKeyProvider({ envKey: randomKeyFor(dir) });
  const keys = new Map();
  function randomKeyFor(dir) {
    if (!keys.has(dir)) keys.set(dir, randomBytes(32).toString('base64'));
    return keys.get(dir);
  }
  const engineFor = (store) => new SyncEngine({
    store,
    connect: () => BwsTransport.fromOptions({ endpoint, ...credentials }),
    concurrency: CONCURRENCY,
    monitor: { onlineIntervalMs: 30_000 },
  });

  try {
    // 1. enqueue latency
    const dirA = path.join(work, 'latency');
    const store = await QueueStore.open({ dataDir: dirA, keyProvider: keyProvider(dirA), create: true });
    const images = () => [0, 1, 2].map((i) => ({ name: `${i}.png`, bytes: syntheticImage(), sourceSha256: null, analysis: { accepted: true } }));
    const embeddings = () => [0, 1, 2].map(() => Float32Array.from({ length: 512 }, Math.random));
    for (let i = 0; i < 10; i += 1) store.enqueue({ classId: String(900_000 + i), images: images(), embeddings: embeddings() });
    const latencies = [];
    for (let i = 0; i < jobs; i += 1) {
      const input = { classId: String(1 + (i % 100)), images: images(), embeddings: embeddings() };
      const started = performance.now();
      store.enqueue(input);
      latencies.push(performance.now() - started);
    }
    rows.push(['enqueue 3-image job (3 x 30 KB), median', ms(pct(latencies, 50))]);
    rows.push(['enqueue 3-image job, p99', ms(pct(latencies, 99))]);

    store.close();

    // 2. drain throughput: the engine against plain grpc-js unary Enroll calls, in alternating rounds in one run
    //    (the machine may be shared: alternation exposes both to the same load), after a warm-up of each.
    const drain = await drainComparison({ work, keyProvider, engineFor, port, credentials, jobs, rounds });
    rows.push([`drain via sync engine (${jobs} jobs x ${rounds} rounds, concurrency ${CONCURRENCY}), median`, `${drain.engine.toFixed(1)} jobs/s  (rounds: ${drain.engineRounds.map((r) => r.toFixed(0)).join(' ')})`]);
    rows.push([`plain grpc-js unary Enroll, same payload/server/concurrency, median`, `${drain.plain.toFixed(1)} calls/s  (rounds: ${drain.plainRounds.map((r) => r.toFixed(0)).join(' ')})`]);
    rows.push(['ratio engine / plain, median of rounds (target >= 0.8)', `${drain.ratio.toFixed(2)}  (rounds: ${drain.ratios.map((r) => r.toFixed(2)).join(' ')})`]);
    if (skipCapacity) return printRows(rows);

    // 3. capacity: 10,000 queued jobs of one ~30 KB image
    const dirC = path.join(work, 'capacity');
    const big = await QueueStore.open({ dataDir: dirC, keyProvider: keyProvider(dirC), create: true });
    // Filling only: batch the fsyncs (synchronous NORMAL) so setting up the run does not take minutes.
    big.db.pragma('synchronous = NORMAL');
    const fillStart = performance.now();
    for (let i = 0; i < capacity; i += 1) big.enqueue({ classId: String(10_000 + i), images: [{ name: `${i}.png`, bytes: syntheticImage() }] });
    const fillSeconds = (performance.now() - fillStart) / 1000;
    big.close();
    const size = fs.statSync(path.join(dirC, 'queue.db')).size + (fs.existsSync(path.join(dirC, 'queue.db-wal')) ? fs.statSync(path.join(dirC, 'queue.db-wal')).size : 0);
    rows.push([`fill ${capacity} jobs (setup, synchronous=NORMAL)`, `${fillSeconds.toFixed(1)} s, database ${(size / 1e6).toFixed(0)} MB`]);
    for (const check of ['quick', 'full']) {
      const started = performance.now();
      const opened = await QueueStore.open({ dataDir: dirC, keyProvider: keyProvider(dirC), create: false, integrityCheck: check });
      rows.push([`open with ${capacity} jobs (integrity ${check}_check)`, ms(performance.now() - started)]);
      opened.close();
    }
    const reopened = await QueueStore.open({ dataDir: dirC, keyProvider: keyProvider(dirC), create: false, integrityCheck: 'none' });
    const time = (label, fn, repeat = 20) => {
      fn();
      const samples = [];
      for (let i = 0; i < repeat; i += 1) {
        const started = performance.now();
        fn();
        samples.push(performance.now() - started);
      }
      rows.push([label, `median ${ms(pct(samples, 50))}`]);
    };
    time('listJobs (newest 100)', () => reopened.listJobs({ limit: 100 }));
    time("listJobs (state 'queued', 100)", () => reopened.listJobs({ state: 'queued', limit: 100 }));
    time('listJobs (all 10,000 summaries)', () => reopened.listJobs({ limit: 100_000 }), 5);
    time('counts()', () => reopened.counts());
    time('scheduler pick (nextCandidates, 2)', () => reopened.nextCandidates(Date.now(), new Set(), 2));

    // 4. peak RSS while draining the 10,000-job queue (for a fixed window)
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const bigEngine = engineFor(reopened);
    const windowStart = performance.now();
    await bigEngine.start();
    await bigEngine.settle({ timeoutMs: drainSeconds * 1000 });
    await bigEngine.stop();
    clearInterval(sampler);
    const synced = reopened.counts().synced;
    rows.push([`drain from the ${capacity}-job queue (${drainSeconds} s window)`, `${synced} jobs, ${(synced / ((performance.now() - windowStart) / 1000)).toFixed(1)} jobs/s`]);
    rows.push(['RSS before draining / peak while draining', `${(rssBefore / 1e6).toFixed(0)} MB / ${(peak / 1e6).toFixed(0)} MB`]);
    reopened.close();
  } finally {
    server.send('stop');
    fs.rmSync(work, { recursive: true, force: true });
  }

  printRows(rows);
}

function printRows(rows) {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\nQueue benchmark (${os.cpus().length} CPUs, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
}

/**
 * One engine (started once, like a running station) drains `jobs` freshly queued 3-image jobs per round; the
 * plain client sends the same number of Enrolls with the same image sizes, class pattern and concurrency over
 * one channel. Each side's time runs from the first job being available to the last answer (the engine's
 * `job ... synced` events, so no polling granularity). Round 0 of each side is a warm-up and not counted.
 */
async function drainComparison({ work, keyProvider, engineFor, port, credentials, jobs, rounds }) {
  const { QueueStore } = await dist('engine/store/queue-store.js');
  const { TokenSource } = await dist('engine/bws/token.js');
  const { faceRecognitionDefinition } = await dist('engine/bws/proto.js');
  const grpc = await import('@grpc/grpc-js');
  const dir = path.join(work, 'drain');
  const store = await QueueStore.open({ dataDir: dir, keyProvider: keyProvider(dir), create: true });
  const engine = engineFor(store);
  let synced = 0;
  const unexpected = [];
  let onSynced = () => {};
  engine.on('job', (change) => {
    if (change.state === 'synced') {
      synced += 1;
      onSynced();
    } else if (change.state !== 'sending') unexpected.push(`${change.state}: ${change.error?.message ?? ''}`);
  });
  await engine.start();

  const definition = faceRecognitionDefinition().Enroll;
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  const tokens = new TokenSource(credentials.clientId, credentials.key);
  const call = (request) => new Promise((resolve, reject) => tokens.token().then((token) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    client.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, request, metadata, { deadline: Date.now() + 60_000 }, (error, value) => (error ? reject(error) : resolve(value)));
  }, reject));

  const images = () => [0, 1, 2].map(() => syntheticImage());
  const engineRound = async (round, count) => {
    for (let i = 0; i < count; i += 1) {
      store.enqueue({ classId: String(1_000 * (round + 1) + (i % 100)), images: images().map((bytes, n) => ({ name: `${n}.png`, bytes, analysis: { accepted: true } })) });
    }
    const target = synced + count;
    const done = new Promise((resolve) => {
      onSynced = () => synced >= target && resolve();
    });
    const started = performance.now();
    engine.wake();
    await done;
    if (unexpected.length > 0) throw new Error(`bench jobs left the happy path: ${unexpected.slice(0, 3).join('; ')}`);
    return count / ((performance.now() - started) / 1000);
  };
  const plainRound = async (round, count) => {
    const requests = Array.from({ length: count }, (_, i) => ({ classId: String(500_000 + 1_000 * (round + 1) + (i % 100)), images: images().map((image) => ({ image, tags: [] })) }));
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) await call(requests[next++]);
    }));
    return count / ((performance.now() - started) / 1000);
  };

  const engineRounds = [];
  const plainRounds = [];
  for (let round = 0; round <= rounds; round += 1) {
    const count = round === 0 ? Math.min(50, jobs) : jobs;
    // Alternate which side goes first, so a load change hits both sides alike.
    const order = round % 2 === 0 ? [engineRound, plainRound] : [plainRound, engineRound];
    for (const run of order) {
      const rate = await run(round, count);
      if (round > 0) (run === engineRound ? engineRounds : plainRounds).push(rate);
    }
  }
  await engine.stop();
  client.close();
  store.close();
  const ratios = engineRounds.map((rate, i) => rate / plainRounds[i]);
  return { engine: pct(engineRounds, 50), plain: pct(plainRounds, 50), ratio: pct(ratios, 50), engineRounds, plainRounds, ratios };
}

if (process.argv[2] === '--serve') {
  // Child: the store-only local service on 127.0.0.1:0; prints its port.
  // Always the repo's own build: BENCH_DIST swaps only the station side (to compare builds on one server).
  const { startStoreOnlyBws } = await import(pathToFileURL(path.join(root, 'dist', 'engine/bws-local/server.js')).href);
  const service = await startStoreOnlyBws({ clientId: process.env.BENCH_CLIENT_ID, key: process.env.BENCH_KEY, dataDir: process.argv[3], dbKey: randomBytes(32), port: 0 });
  process.send({ port: service.port });
  process.on('message', async (message) => {
    if (message === 'stop') {
      await service.close();
      process.exit(0);
    }
  });
} else {
  await main();
}
