import * as grpc from '@grpc/grpc-js';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { QueueStore } from '../../src/engine/store/queue-store.js';
import { freshStore } from '../store/helpers.js';
import { type FaultyBws, startFaultyBws } from './fault-server.js';
import { configure, engineFor, enqueueMany, useSyncFixtures, waitFor } from './helpers.js';

const { cleanups, setup, track } = useSyncFixtures();

/** Every job synced, and the service stored each job exactly once. */
function expectEachOnce(store: QueueStore, server: FaultyBws, ids: string[]): void {
  for (const id of ids) {
    expect(store.getJob(id)?.state, `job ${id}`).toBe('synced');
    expect(server.commits.get(id) ?? 0, `commits of job ${id}`).toBe(1);
  }
}

describe('sync engine against a real local service', () => {
  it('drains the queue, keeping order per class and never sending two jobs of one class at once', async () => {
    const { store, server } = await setup();
    const classes = ['11', '12', '11', '13', '11', '12', '14', '15'];
    const ids = enqueueMany(store, classes);
    // The server counts the Enrolls of each class it holds (arrival until its answer is sent): a second one
    // arriving while the count is above zero is an overlap. No timers: the count is exact however slow the machine.
    let overlap = 0;
    server.plan = (arrival) => {
      if ((server.inFlightByClass.get(arrival.classId) ?? 0) > 0) overlap += 1;
      return { kind: 'delay', beforeMs: 0, afterMs: 30 };
    };
    const engine = track(engineFor(store));
    const states: string[] = [];
    engine.on('status', (status) => states.push(status.connectivity));
    await engine.start();
    const status = await engine.settle({ timeoutMs: 20_000 });
    expect(status.counts.synced).toBe(classes.length);
    expectEachOnce(store, server, ids);
    expect(overlap).toBe(0);
    // per class, the service saw the jobs in the order they were queued
    const order = server.arrivals.filter((arrival) => arrival.classId === '11').map((arrival) => arrival.jobId);
    expect(order).toEqual([ids[0], ids[2], ids[4]]);
    expect(server.featureVectors('11')).toBe(6);
    expect(states).toContain('online');
    // after sync: receipt kept, images gone
    expect(store.getReceipt(ids[0]!)).toMatchObject({ imageCount: 2, performedAction: 'NEW_TEMPLATE_CREATED' });
    expect(store.getReceipt(ids[2]!)).toMatchObject({ performedAction: 'TEMPLATE_UPDATED' });
    expect(store.getReceipt(ids[0]!)!.serverJobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.loadImages(ids[0]!)).toEqual([]);
    // the engine deleted the rows the synced jobs left (fewer than a batch) once nothing was left to send
    expect(store.db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT COUNT(*) FROM analysis').pluck().get()).toBe(0);
  });

  it('outage: offline while the network is down, then UNAVAILABLE 5 times; every job lands once', async () => {
    const { store, server } = await setup();
    server.proxy.setDown(true);
    const ids = enqueueMany(store, ['21', '22', '23', '24']);
    const engine = track(engineFor(store));
    await engine.start();
    await waitFor(() => engine.status().connectivity === 'offline', 5000, 'offline');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.arrivals.length).toBe(0);
    expect(store.counts().queued).toBe(4);

    let unavailable = 5;
    server.plan = () => (unavailable-- > 0 ? { kind: 'status', code: grpc.status.UNAVAILABLE, details: 'injected: service restarting' } : { kind: 'pass' });
    const retries: string[] = [];
    engine.on('job', (change) => {
      if (change.state === 'retry_wait') retries.push(change.id);
    });
    server.proxy.setDown(false);
    const status = await engine.settle({ timeoutMs: 30_000 });
    expect(status.counts.synced).toBe(4);
    expect(retries.length).toBe(5);
    expectEachOnce(store, server, ids);
    expect(server.arrivals.length).toBe(4 + 5);
    const job = store.getJob(retries[0]!)!;
    expect(job.attempts).toBeGreaterThanOrEqual(2);
  });

  it('backoff: each retry of a failing job is scheduled further ahead (doubling, drawn with the injected random source)', async () => {
    const { store, server } = await setup();
    const [job] = enqueueMany(store, ['101']);
    let failures = 5;
    server.plan = () => (failures-- > 0 ? { kind: 'status', code: grpc.status.CANCELLED, details: 'injected: shutting down' } : { kind: 'pass' });
    const engine = track(engineFor(store, { backoff: { baseMs: 40, capMs: 10_000 }, random: () => 0.75 }));
    const delays: number[] = [];
    engine.on('job', (change) => {
      if (change.id !== job || change.state !== 'retry_wait') return;
      const scheduled = store.getJob(job)!;
      delays.push(Date.parse(scheduled.nextAttemptAt!) - Date.parse(scheduled.updatedAt));
    });
    await engine.start();
    await engine.settle({ timeoutMs: 20_000 });
    expectEachOnce(store, server, [job!]);
    // Full jitter: 0.75 of the ceiling 40 ms x 2^(attempt - 1).
    expect(delays).toEqual([30, 60, 120, 240, 480]);
    expect(store.getJob(job!)!.attempts).toBe(6);
  });

  it('ambiguity: the service stores the enrollment and answers after the deadline; the job is reconciled, not re-sent', async () => {
    const { store, server } = await setup();
    const [late, other] = enqueueMany(store, ['31', '32']);
    server.plan = (arrival) => (arrival.jobId === late ? { kind: 'late', delayMs: 1500 } : { kind: 'pass' });
    const engine = track(engineFor(store, { enrollDeadlineMs: 500 }));
    const seen: string[] = [];
    engine.on('job', (change) => change.id === late && seen.push(change.state));
    await engine.start();
    await engine.settle({ timeoutMs: 20_000 });
    expectEachOnce(store, server, [late!, other!]);
    expect(server.arrivals.filter((arrival) => arrival.jobId === late).length).toBe(1);
    expect(seen).toEqual(expect.arrayContaining(['sending', 'ambiguous', 'reconciling', 'synced']));
    expect(store.getJob(late!)).toMatchObject({ performedAction: 'RECONCILED', note: expect.stringMatching(/reconciled.*landed/) });
    expect(store.getReceipt(late!)?.note).toMatch(/not re-sent/);
  });

  it('ambiguity: the connection drops after the service stored it; reconciled, not re-sent', async () => {
    const { store, server } = await setup();
    const [dropped, other] = enqueueMany(store, ['41', '42']);
    let first = true;
    server.plan = (arrival) => {
      if (arrival.jobId === dropped && first) {
        first = false;
        return { kind: 'drop-after-commit' };
      }
      return { kind: 'pass' };
    };
    const engine = track(engineFor(store));
    const errors: string[] = [];
    engine.on('job', (change) => change.id === dropped && change.error && errors.push(change.error.code));
    await engine.start();
    await engine.settle({ timeoutMs: 20_000 });
    expectEachOnce(store, server, [dropped!, other!]);
    expect(server.arrivals.filter((arrival) => arrival.jobId === dropped).length).toBe(1);
    expect(store.getJob(dropped!)?.performedAction).toBe('RECONCILED');
    expect(errors[0]).toBe('UNAVAILABLE');
  });

  it('ambiguity: the connection drops before the service stored it; reconcile finds no change and sends again, once', async () => {
    const { store, server } = await setup();
    const [dropped] = enqueueMany(store, ['51']);
    let first = true;
    server.plan = () => {
      if (first) {
        first = false;
        return { kind: 'drop-before-commit' };
      }
      return { kind: 'pass' };
    };
    // The re-send waits for the first send's deadline + grace (the request might still be on its way). The
    // deadline stays the generous default: a short one could pass during the re-send on a busy machine, and
    // that re-send would then (correctly) be reconciled instead of answered.
    const engine = track(engineFor(store));
    await engine.start();
    await engine.settle({ timeoutMs: 20_000 });
    expectEachOnce(store, server, [dropped!]);
    expect(server.arrivals.length).toBe(2);
    expect(store.getJob(dropped!)).toMatchObject({ attempts: 2, performedAction: 'NEW_TEMPLATE_CREATED' });
    expect(server.featureVectors('51')).toBe(2);
  });

  it('INVALID_ARGUMENT affects only that job: it needs attention, the rest (even of its class) sync', async () => {
    const { store, server } = await setup();
    const ids = enqueueMany(store, ['61', '62', '61', '63']);
    const bad = ids[0]!;
    server.plan = (arrival) => (arrival.jobId === bad ? { kind: 'status', code: grpc.status.INVALID_ARGUMENT, details: 'injected: bad request' } : { kind: 'pass' });
    const engine = track(engineFor(store));
    await engine.start();
    const status = await engine.settle({ timeoutMs: 20_000 });
    expect(status.counts).toMatchObject({ synced: 3, needs_attention: 1 });
    expect(store.getJob(bad)).toMatchObject({ state: 'needs_attention', lastError: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/rejected the request as invalid/) } });
    expectEachOnce(store, server, ids.slice(1));
    expect(server.arrivals.filter((arrival) => arrival.jobId === bad).length).toBe(1);
    expect(store.audit.recent(50).some((entry) => entry.event === 'needs_attention' && entry.jobId === bad)).toBe(true);

    // the operator retries it; with the injected fault gone it lands
    server.plan = () => ({ kind: 'pass' });
    expect(store.retry(bad)).toBe(1);
    engine.wake();
    await engine.settle({ timeoutMs: 20_000 });
    expectEachOnce(store, server, ids);
  });

  it('credentials rejected: the whole queue pauses with the reason and resumes when the key is fixed', async () => {
    const { store, server } = await setup();
    const rightKey = server.credentials.key;
    store.settings.set('key', Buffer.alloc(64, 1).toString('base64'));
    const ids = enqueueMany(store, ['71', '72', '73']);
    const engine = track(engineFor(store));
    const paused: string[] = [];
    engine.on('status', (status) => status.paused && paused.push(status.paused.message));
    await engine.start();
    await waitFor(() => engine.status().paused !== null, 10_000, 'pause');
    const status = engine.status();
    expect(status.paused).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/rejected the credentials/) });
    expect(paused.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(store.counts()).toMatchObject({ queued: 3, synced: 0 });
    expect(server.commits.size).toBe(0);
    // the operator saves the right key (the engine notices the changed settings by itself)
    store.settings.set('key', rightKey);
    await waitFor(() => engine.status().paused === null, 5000, 'resume');
    const final = await engine.settle({ timeoutMs: 20_000 });
    expect(final.counts.synced).toBe(3);
    expectEachOnce(store, server, ids);
  });

  it('a permanent refusal (FAILED_PRECONDITION) puts only that job in needs_attention', async () => {
    const { store, server } = await setup();
    const [job] = enqueueMany(store, ['81']);
    server.plan = () => ({ kind: 'status', code: grpc.status.FAILED_PRECONDITION, details: 'injected: template locked' });
    const engine = track(engineFor(store));
    await engine.start();
    await engine.settle({ timeoutMs: 20_000 });
    expect(store.getJob(job!)).toMatchObject({ state: 'needs_attention', lastError: { code: 'FAILED_PRECONDITION' } });
    expect(server.arrivals.length).toBe(1);
  });

  it('ENROLLMENT_FAILED from the real service (no face in the image) needs attention, with the reason in words', async () => {
    const server = await startFaultyBws({ mode: 'vision' });
    cleanups.push(() => server.close());
    const { store } = await freshStore();
    cleanups.push(() => store.close());
    configure(store, server.endpoint, server.credentials);
    const grey = await sharp({ create: { width: 480, height: 640, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
    const job = store.enqueue({ classId: '82', images: [{ name: 'wall.png', bytes: grey }] });
    const engine = track(engineFor(store, { enrollDeadlineMs: 30_000 }));
    await engine.start();
    await engine.settle({ timeoutMs: 50_000 });
    expect(store.getJob(job)).toMatchObject({
      state: 'needs_attention',
      performedAction: 'ENROLLMENT_FAILED',
      lastError: { code: 'ENROLLMENT_FAILED', message: expect.stringMatching(/no usable face/) },
    });
    expect(store.loadImages(job).length).toBe(1);
  });

  it('a wrong host (UNIMPLEMENTED) pauses with the face.<location> hint; unconfigured stays idle', async () => {
    const { store, server } = await setup();
    enqueueMany(store, ['91']);
    server.plan = () => ({ kind: 'status', code: grpc.status.UNIMPLEMENTED, details: 'injected: unknown service' });
    const engine = track(engineFor(store));
    await engine.start();
    await waitFor(() => engine.status().paused !== null, 10_000, 'pause');
    expect(engine.status().paused?.message).toMatch(/face\.<location>\.bioid\.com/);
    expect(store.counts().queued).toBe(1);

    const { store: bare } = await freshStore();
    cleanups.push(() => bare.close());
    enqueueMany(bare, ['92']);
    const idle = track(engineFor(bare));
    await idle.start();
    expect(idle.status()).toMatchObject({ connectivity: 'unconfigured', paused: null });
    expect(idle.status().lastResult).toMatch(/not configured/);
  });
});
