#!/usr/bin/env node
// Queue benchmark (issue 5): npm run bench:queue   (builds the engine to dist/ first)
//  1. enqueue latency of a 3-image job (median, p99)
//  2. drain throughput through the sync engine to a store-only local BWS service, against its floor: plain
//     grpc-js unary Enroll calls with the same payload to the same server at the same concurrency PLUS the bare
//     durable steps effectively-once delivery needs per job (one fsync'd state write before the send, one read
//     of the job's images from an encrypted database, one state write after the answer, unsynced like the
//     engine's), all measured in alternating rounds of one run (ratio engine time / floor time; target <= 1.25).
//     Plain grpc-js calls alone are printed too, as the network-only reference. Also printed: the CPU time per
//     job of both processes (station and service) and the GetTemplateStatus calls per job of each side, and the
//     engine's time against "floor + status read" (the floor plus one plain status call per job). That row is
//     there because the floor leaves out the status read the engine needs before a class's first send (reconcile
//     compares against it): the engine reads it only for a class's first queued job (later jobs of the class
//     take the status the previous Enroll answer reported) and while other sends are in flight, so against the
//     floor it is ahead by what it saves on the status calls, and against "floor + status read" it is behind by
//     them. The drain's classes repeat every 100 jobs (3 jobs per class per 300-job round): read the calls per
//     job next to the ratios.
//  2b. latency-bound drain: the server takes 50 ms per Enroll (it answers 50 ms after the request arrived, its
//     own template write included); 40 queued jobs at concurrency 2. Time from the first to the last Enroll
//     arriving at the server, against the ideal (jobs / concurrency - 1) x 50 ms (ratio ideal / measured;
//     target >= 0.9), plain grpc-js calls measured alike in the same rounds; the engine against plain calls is
//     printed too, since even bare calls lose a few ms per wave on a 2-core machine (the answer's and the next
//     request's way through grpc-js and HTTP/2 on both sides, each process waiting for a core).
//  3. capacity: open time and list-query times with 10,000 queued jobs of ~30 KB synthetic images
//  4. peak RSS of this process while draining that 10,000-job queue
// The service runs in a child process so the RSS is the station's alone. Options (env): BENCH_JOBS (drain
// jobs per round, default 300), BENCH_ROUNDS (counted drain rounds per side, default 5, after one warm-up round
// each), BENCH_LATENCY_ROUNDS (rounds of 2b, default 5), BENCH_CAPACITY (default 10000), BENCH_DRAIN_SECONDS (capacity drain window, default 30),
// BENCH_SKIP_CAPACITY=1 (sections 1-2 only), BENCH_ONLY_LATENCY=1 (section 2b only), BENCH_DIST (another build's dist/ for the station side, to compare
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
const dist = (file, dir = distDir) => import(pathToFileURL(path.join(dir, file)).href);
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
  const latencyOnly = process.env.BENCH_ONLY_LATENCY === '1';
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
  // The station builds whose sync engines are timed: this one, and optionally a baseline build in the same run.
  const builds = [{ label: 'engine', QueueStore, engineFor }];
  if (process.env.BENCH_BASELINE_DIST) builds.push(await loadBuild(path.resolve(process.env.BENCH_BASELINE_DIST), endpoint, credentials));

  try {
    if (latencyOnly) {
      latencyRows(rows, await latencyBound({ work, keyProvider, builds, port, credentials, server, rounds: Number(process.env.BENCH_LATENCY_ROUNDS ?? 5) }), builds);
      return printRows(rows);
    }
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
    const drain = await drainComparison({ work, keyProvider, builds, port, credentials, jobs, rounds, server });
    const list = (values, digits = 0) => values.map((v) => v.toFixed(digits)).join(' ');
    for (const { label } of builds) rows.push([`drain via ${title(label)} (${jobs} jobs x ${rounds} rounds, concurrency ${CONCURRENCY}), median`, `${drain[label].rate.toFixed(1)} jobs/s  (rounds: ${list(drain[label].rounds)})`]);
    rows.push(["floor: plain Enroll + fsync'd mark + encrypted image read + mark after, median", `${drain.floor.rate.toFixed(1)} jobs/s  (rounds: ${list(drain.floor.rounds)})`]);
    rows.push(['reference: floor + a plain GetTemplateStatus call before each send, median', `${drain['floor+status'].rate.toFixed(1)} jobs/s  (rounds: ${list(drain['floor+status'].rounds)}; its time / floor ${drain['floor+status'].ratio.toFixed(2)})`]);
    rows.push(['plain grpc-js unary Enroll alone (network reference), median', `${drain.plain.rate.toFixed(1)} calls/s  (rounds: ${list(drain.plain.rounds)})`]);
    const cpu = ({ perJob }) => `${(perJob.stationMs + perJob.serviceMs).toFixed(2)} ms (station ${perJob.stationMs.toFixed(2)} + service ${perJob.serviceMs.toFixed(2)}), ${perJob.statusReads.toFixed(2)} status reads`;
    for (const name of [...builds.map((b) => b.label), 'floor', 'floor+status', 'plain']) {
      rows.push([`CPU per job, both processes, and GetTemplateStatus calls per job: ${builds.some((b) => b.label === name) ? title(name) : name}`, cpu(drain[name])]);
    }
    for (const { label } of builds) rows.push([`DRAIN RATIO ${title(label)} time / floor time, median of rounds (target <= 1.25)`, `${drain[label].ratio.toFixed(2)}  (rounds: ${list(drain[label].ratios, 2)})`]);
    for (const { label } of builds) rows.push([`drain ratio ${title(label)} time / (floor + status read) time, median of rounds`, drain[label].againstStatus.toFixed(2)]);
    latencyRows(rows, await latencyBound({ work, keyProvider, builds, port, credentials, server, rounds: Number(process.env.BENCH_LATENCY_ROUNDS ?? 5) }), builds);
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
    time('scheduler pick (pickCandidates, 2)', () => reopened.pickCandidates(Date.now(), new Set(), 2));

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

const title = (label) => (label === 'engine' ? 'sync engine' : 'sync engine, baseline build');

/** The rows of 2b: each side's first -> last Enroll time, its ratio against the ideal, the engine against plain calls. */
function latencyRows(rows, bound, builds) {
  const ideal = (bound.plain.ideal * 1000).toFixed(0);
  const list = (values) => values.map((v) => v.toFixed(0)).join(' ');
  const names = [...builds.map((b) => b.label), 'plain'];
  for (const name of names) {
    rows.push([`50 ms per Enroll, 40 jobs, concurrency ${CONCURRENCY}: first -> last Enroll at the server, ${name === 'plain' ? 'plain grpc-js calls' : title(name)}`, `${(bound[name].seconds * 1000).toFixed(0)} ms  (rounds: ${list(bound[name].rounds.map((v) => v * 1000))})`]);
  }
  for (const name of names) rows.push([`LATENCY-BOUND RATIO ideal ${ideal} ms / ${name === 'plain' ? 'plain calls' : title(name)} (target >= 0.9)`, bound[name].ratio.toFixed(2)]);
  for (const { label } of builds) rows.push([`latency-bound ${title(label)} against plain calls (plain time / engine time)`, (bound.plain.seconds / bound[label].seconds).toFixed(2)]);
}

function printRows(rows) {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\nQueue benchmark (${os.cpus().length} CPUs, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
}

/**
 * One engine (started once, like a running station) drains `jobs` freshly queued 3-image jobs per round. Its
 * floor does, per job and at the same concurrency over one channel: one fsync'd state write (synchronous FULL)
 * in an encrypted database opened like the queue, one read of the job's three images from it, the plain
 * grpc-js Enroll with the same image sizes and class pattern, and one state write after the answer (no fsync
 * of its own, as the engine's: a lost "done" only means reconciling). The plain calls alone are the network
 * reference. Each side's time runs from the first job being available to the last answer (the engine's
 * `job ... synced` events, so no polling granularity). Round 0 of each side is a warm-up and not counted; the
 * three sides take turns in a rotating order, so load changes on a shared machine hit them alike.
 */
async function drainComparison({ work, keyProvider, builds, port, credentials, jobs, rounds, server }) {
  const sides = {};
  const stops = [];
  for (const [index, build] of builds.entries()) {
    const side = await engineSide(build, path.join(work, `drain-${index}`), keyProvider);
    stops.push(side.stop);
    sides[build.label] = (round, count) => side.round(count, (i) => String(100_000 * index + 1_000 * (round + 1) + (i % 100)), measure);
  }
  const plain = await plainClient(port, credentials);
  const floorDb = await openFloorDatabase(path.join(work, 'floor'), keyProvider);
  // Times the drain part of a round (not its set-up: queueing the jobs) with the CPU time both processes spent
  // meanwhile and the status calls the service answered; the service is asked outside the timed span.
  const serviceUsage = () => new Promise((resolve) => {
    server.once('message', resolve);
    server.send({ usage: 'take' });
  });
  const cpuMs = (cpu) => (cpu.user + cpu.system) / 1000;
  const measure = async (drain) => {
    const serviceBefore = await serviceUsage();
    const stationBefore = process.cpuUsage();
    const started = performance.now();
    await drain();
    const seconds = (performance.now() - started) / 1000;
    const stationMs = cpuMs(process.cpuUsage(stationBefore));
    const serviceAfter = await serviceUsage();
    return { seconds, stationMs, serviceMs: cpuMs(serviceAfter.cpu) - cpuMs(serviceBefore.cpu), statusReads: serviceAfter.statusReads - serviceBefore.statusReads };
  };

  const plainRound = async (round, count) => {
    const requests = Array.from({ length: count }, (_, i) => ({ classId: String(500_000 + 1_000 * (round + 1) + (i % 100)), images: threeImages().map((image) => ({ image, tags: [] })) }));
    return measure(() => lanes(requests, (request) => plain.enroll(request)));
  };
  const floorRound = async (round, count) => {
    const ids = floorDb.fill(count, (i) => String(700_000 + 1_000 * (round + 1) + (i % 100)));
    return measure(() => lanes(ids, async ({ id, classId }) => {
      floorDb.markSending(id);
      const images = floorDb.images(id);
      await plain.enroll({ classId, images: images.map((image) => ({ image, tags: [] })) });
      floorDb.markDone(id);
    }));
  };

  // Reference, not the floor: the floor plus the template status read the engine makes before a job's first
  // send (reconcile compares against it), as a plain call. Shows what that second call costs on this server.
  const floorStatusRound = async (round, count) => {
    const ids = floorDb.fill(count, (i) => String(800_000 + 1_000 * (round + 1) + (i % 100)));
    return measure(() => lanes(ids, async ({ id, classId }) => {
      await plain.status({ classId });
      floorDb.markSending(id);
      const images = floorDb.images(id);
      await plain.enroll({ classId, images: images.map((image) => ({ image, tags: [] })) });
      floorDb.markDone(id);
    }));
  };

  sides.floor = floorRound;
  sides['floor+status'] = floorStatusRound;
  sides.plain = plainRound;
  const names = Object.keys(sides);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  const usage = Object.fromEntries(names.map((name) => [name, { stationMs: 0, serviceMs: 0, statusReads: 0, jobs: 0 }]));
  for (let round = 0; round <= rounds; round += 1) {
    const count = round === 0 ? Math.min(50, jobs) : jobs;
    for (let k = 0; k < names.length; k += 1) {
      const name = names[(round + k) % names.length];
      const result = await sides[name](round, count);
      if (round > 0) {
        times[name].push(result.seconds);
        const sum = usage[name];
        sum.stationMs += result.stationMs;
        sum.serviceMs += result.serviceMs;
        sum.statusReads += result.statusReads;
        sum.jobs += count;
      }
    }
  }
  for (const stop of stops) await stop();
  plain.close();
  floorDb.close();
  const rate = (seconds) => jobs / seconds;
  return Object.fromEntries(names.map((name) => {
    const ratios = times[name].map((t, i) => t / times.floor[i]);
    const againstStatus = times[name].map((t, i) => t / times['floor+status'][i]);
    const { stationMs, serviceMs, statusReads, jobs: counted } = usage[name];
    const perJob = { stationMs: stationMs / counted, serviceMs: serviceMs / counted, statusReads: statusReads / counted };
    return [name, { rate: rate(pct(times[name], 50)), rounds: times[name].map(rate), ratio: pct(ratios, 50), ratios, againstStatus: pct(againstStatus, 50), perJob }];
  }));
}

/** A running sync engine of one build over its own queue; `round` queues `count` jobs and waits until all synced. */
async function engineSide(build, dir, keyProvider) {
  const store = await build.QueueStore.open({ dataDir: dir, keyProvider: keyProvider(dir), create: true });
  const engine = build.engineFor(store);
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
  return {
    /**
     * Queues `count` jobs, then times from waking the engine to the last one synced (through `measure`, which
     * may add CPU figures; by default just the seconds).
     */
    async round(count, classOf, measure = async (drain) => {
      const started = performance.now();
      await drain();
      return { seconds: (performance.now() - started) / 1000 };
    }) {
      for (let i = 0; i < count; i += 1) {
        store.enqueue({ classId: classOf(i), images: threeImages().map((bytes, n) => ({ name: `${n}.png`, bytes, analysis: { accepted: true } })) });
      }
      const target = synced + count;
      const done = new Promise((resolve) => {
        onSynced = () => synced >= target && resolve();
      });
      const result = await measure(async () => {
        engine.wake();
        await done;
      });
      if (unexpected.length > 0) throw new Error(`bench jobs left the happy path: ${unexpected.slice(0, 3).join('; ')}`);
      return result;
    },
    async stop() {
      await engine.stop();
      store.close();
    },
  };
}

/** Another build's store and engine (BENCH_BASELINE_DIST), against the same service. */
async function loadBuild(dir, endpoint, credentials) {
  const { QueueStore } = await dist('engine/store/queue-store.js', dir);
  const { SyncEngine } = await dist('engine/sync/engine.js', dir);
  const { BwsTransport } = await dist('engine/sync/bws-transport.js', dir);
  const engineFor = (store) => new SyncEngine({ store, connect: () => BwsTransport.fromOptions({ endpoint, ...credentials }), concurrency: CONCURRENCY, monitor: { onlineIntervalMs: 30_000 } });
  return { label: 'baseline', QueueStore, engineFor };
}

/**
 * 2b: the server answers every Enroll `delayMs` after it arrived (its own work included). Per round, 40 jobs through the engine and 40 plain calls
 * (alternating which goes first); the server reports when each Enroll arrived. Ideal at concurrency c:
 * the last of ceil(n / c) waves starts (ceil(n / c) - 1) x delay after the first.
 */
async function latencyBound({ work, keyProvider, builds, port, credentials, server, rounds, count = 40, delayMs = 50 }) {
  const engines = [];
  for (const [index, build] of builds.entries()) engines.push({ index, label: build.label, side: await engineSide(build, path.join(work, `latency-${index}`), keyProvider) });
  const plain = await plainClient(port, credentials);
  const ask = (message) => new Promise((resolve) => {
    server.once('message', resolve);
    server.send(message);
  });
  await ask({ delayMs });
  const spread = async (run) => {
    await ask({ arrivals: 'reset' });
    await run();
    const { arrivals } = await ask({ arrivals: 'take' });
    return (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
  };
  const sides = {};
  for (const { index, label, side } of engines) sides[label] = (round) => spread(() => side.round(count, (i) => String(2_000_000 + 100_000 * index + 1_000 * round + i)));
  const plainRound = (round) => spread(() => lanes(Array.from({ length: count }, (_, i) => ({ classId: String(3_000_000 + 1_000 * round + i), images: threeImages().map((image) => ({ image, tags: [] })) })), (request) => plain.enroll(request)));
  sides.plain = plainRound;
  const names = Object.keys(sides);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round <= rounds; round += 1) {
    for (let k = 0; k < names.length; k += 1) {
      const name = names[(round + k) % names.length];
      const seconds = await sides[name](round);
      if (round > 0) times[name].push(seconds);
    }
  }
  await ask({ delayMs: 0 });
  for (const { side } of engines) await side.stop();
  plain.close();
  const ideal = ((Math.ceil(count / CONCURRENCY) - 1) * delayMs) / 1000;
  return Object.fromEntries(names.map((name) => [name, { seconds: pct(times[name], 50), rounds: times[name], ratio: ideal / pct(times[name], 50), ideal }]));
}

/** Runs `items` through `work` on CONCURRENCY lanes, each taking the next item when its last one is done. */
async function lanes(items, work) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

const threeImages = () => [0, 1, 2].map(() => syntheticImage());

/** Plain grpc-js unary Enroll calls (one channel, a cached JWT), the floor's network part. */
async function plainClient(port, credentials) {
  const { TokenSource } = await dist('engine/bws/token.js');
  const { faceRecognitionDefinition } = await dist('engine/bws/proto.js');
  const grpc = await import('@grpc/grpc-js');
  const definitions = faceRecognitionDefinition();
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  const tokens = new TokenSource(credentials.clientId, credentials.key);
  const unary = (definition) => (request) => new Promise((resolve, reject) => tokens.token().then((token) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    client.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, request, metadata, { deadline: Date.now() + 60_000 }, (error, value) => (error ? reject(error) : resolve(value)));
  }, reject));
  return {
    enroll: unary(definitions.Enroll),
    status: unary(definitions.GetTemplateStatus),
    close: () => client.close(),
  };
}

/**
 * The floor's database: the station's own encrypted opener (SQLCipher, WAL, synchronous FULL), with only a
 * state column and the image bytes. Filled before a round starts (not timed).
 */
async function openFloorDatabase(dir, keyProvider) {
  const { openEncryptedDatabase } = await dist('engine/store/database.js');
  const key = await keyProvider(dir).obtainKey(dir);
  const db = openEncryptedDatabase({
    file: path.join(dir, 'floor.db'),
    key,
    create: true,
    migrations: [{ version: 1, description: 'floor', up: (d) => d.exec('CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL); CREATE TABLE images (job_id INTEGER NOT NULL, position INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (job_id, position))') }],
  });
  const insertJob = db.prepare("INSERT INTO jobs (state) VALUES ('queued')");
  const insertImage = db.prepare('INSERT INTO images (job_id, position, bytes) VALUES (?, ?, ?)');
  const setState = db.prepare('UPDATE jobs SET state = ? WHERE id = ?');
  const readImages = db.prepare('SELECT bytes FROM images WHERE job_id = ? ORDER BY position').pluck();
  return {
    fill(count, classOf) {
      const out = [];
      db.transaction(() => {
        for (let i = 0; i < count; i += 1) {
          const id = Number(insertJob.run().lastInsertRowid);
          threeImages().forEach((bytes, n) => insertImage.run(id, n, bytes));
          out.push({ id, classId: classOf(i) });
        }
      })();
      return out;
    },
    markSending: (id) => setState.run('sending', id),
    images: (id) => readImages.all(id),
    markDone(id) {
      db.pragma('synchronous = NORMAL');
      try {
        setState.run('synced', id);
      } finally {
        db.pragma('synchronous = FULL');
      }
    },
    close: () => db.close(),
  };
}

if (process.argv[2] === '--serve') {
  // Child: the store-only local service on 127.0.0.1:0; prints its port. Its Enroll can be told to answer each
  // call a while after it arrived ({ delayMs }) and reports when calls arrived ({ arrivals: 'reset' | 'take' }).
  // Always the repo's own build: BENCH_DIST swaps only the station side (to compare builds on one server).
  const { createLocalBwsHandlers, serveBws } = await import(pathToFileURL(path.join(root, 'dist', 'engine/bws-local/index.js')).href);
  const handlers = createLocalBwsHandlers({ clientId: process.env.BENCH_CLIENT_ID, key: process.env.BENCH_KEY, dataDir: process.argv[3], dbKey: randomBytes(32), mode: 'store-only' });
  let delayMs = 0;
  let arrivals = [];
  const enroll = handlers.faceRecognition.Enroll;
  const status = handlers.faceRecognition.GetTemplateStatus;
  let statusReads = 0;
  const faceRecognition = {
    ...handlers.faceRecognition,
    GetTemplateStatus: (call, callback) => {
      statusReads += 1;
      status(call, callback);
    },
    // A server that takes delayMs per Enroll: its own work (the template write, fsync'd) runs at arrival and
    // the answer leaves delayMs after the request arrived, not delayMs plus that work (which made every wave
    // 4-7 ms longer than the ideal assumes, for plain calls and the engine alike).
    Enroll: (call, callback) => {
      const arrived = performance.now();
      arrivals.push(arrived);
      if (delayMs === 0) return enroll(call, callback);
      enroll(call, (...answer) => {
        setTimeout(() => callback(...answer), Math.max(0, arrived + delayMs - performance.now()));
      });
    },
  };
  const service = await serveBws({ faceRecognition, health: handlers.health }, { port: 0 });
  process.send({ port: service.port });
  process.on('message', async (message) => {
    if (message === 'stop') {
      await service.close();
      await handlers.close();
      process.exit(0);
    }
    if (typeof message.delayMs === 'number') {
      delayMs = message.delayMs;
      process.send({ ok: true });
    }
    if (message.arrivals === 'reset') {
      arrivals = [];
      process.send({ ok: true });
    }
    if (message.arrivals === 'take') process.send({ arrivals });
    if (message.usage === 'take') process.send({ cpu: process.cpuUsage(), statusReads });
  });
} else {
  await main();
}
