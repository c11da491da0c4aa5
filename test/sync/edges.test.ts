import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createLocalBwsHandlers, serveBws } from '../../src/engine/bws-local/index.js';
import { tempDir } from '../helpers/paths.js';
import { describe, expect, it } from 'vitest';
import { freshStore } from '../store/helpers.js';
import { resolveBwsConfig, clientOptionsFrom } from '../../src/engine/bws/config.js';
import { BwsTransport } from '../../src/engine/sync/bws-transport.js';
import { configure, engineFor, enqueueMany, useSyncFixtures, waitFor } from './helpers.js';

/** Review findings: state transitions at the edges (operator actions and store failures during sync). */
const { cleanups, setup, track } = useSyncFixtures();

describe('sync edges', () => {
  it('a retried job of a class waits for that class\'s unresolved send: the reconcile is not fooled by the retried job landing', async () => {
    const { store, server } = await setup();
    const [first, second] = enqueueMany(store, ['101', '101']);
    let dropped = false;
    server.plan = (arrival) => {
      if (arrival.jobId === first && !server.arrivals.some((seen) => seen.jobId === first)) {
        return { kind: 'status', code: grpc.status.INVALID_ARGUMENT, details: 'injected: bad request' };
      }
      if (arrival.jobId === second && !dropped) {
        dropped = true;
        return { kind: 'drop-before-commit' };
      }
      return { kind: 'pass' };
    };
    const engine = track(engineFor(store, { enrollDeadlineMs: 1500 }));
    await engine.start();
    // the first job needs attention; the second was sent, its connection dropped before the service stored it,
    // and it now waits out its deadline before concluding it did not land
    await waitFor(() => store.getJob(first!)?.state === 'needs_attention' && store.getJob(second!)?.lastError?.code === 'RECONCILE_WAIT', 10_000, 'second job waiting to reconcile');
    expect(server.commits.size).toBe(0);
    // the operator retries the first job meanwhile
    expect(store.retry(first!)).toBe(1);
    engine.wake();
    await engine.settle({ timeoutMs: 20_000 });
    expect(store.getJob(first!)?.state).toBe('synced');
    expect(store.getJob(second!)?.state).toBe('synced');
    // each job's images reached the service exactly once
    expect(server.commits.get(first!) ?? 0).toBe(1);
    expect(server.commits.get(second!) ?? 0).toBe(1);
    expect(server.featureVectors('101')).toBe(4);
  });
});

describe('sync edges: the store fails to write', () => {
  it('a write that fails after a send (disk full) does not spin the engine; the job is reconciled once the disk has room', async () => {
    const { store, server } = await setup();
    const [job] = enqueueMany(store, ['111']);
    // Once the Enroll has reached the service (the `sending` mark is on disk), every update of a job fails with
    // SQLite's disk-full error, on the engine's own connection, until the test "frees space" by dropping it.
    server.plan = () => {
      store.db.exec("CREATE TEMP TRIGGER IF NOT EXISTS disk_full BEFORE UPDATE ON main.jobs BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
      return { kind: 'delay', beforeMs: 0, afterMs: 20 };
    };
    const engine = track(engineFor(store));
    const errors: string[] = [];
    engine.on('error', (error) => {
      errors.push(String(error.code));
      // a runaway loop never yields to timers: stop it here so the test can report it instead of hanging
      if (errors.length === 500) void engine.stop();
    });
    await engine.start();
    await waitFor(() => errors.length > 0, 10_000, 'the failed write');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(errors[0]).toBe('DISK_FULL');
    expect(errors.length).toBeLessThan(20);
    expect(engine.status().running).toBe(true);
    expect(store.getJob(job!)?.state).toBe('sending');

    store.db.exec('DROP TRIGGER temp.disk_full');
    server.plan = () => ({ kind: 'pass' });
    await engine.settle({ timeoutMs: 20_000 });
    expect(store.getJob(job!)).toMatchObject({ state: 'synced', performedAction: 'RECONCILED' });
    expect(server.commits.get(job!) ?? 0).toBe(1);
  });
});

describe('sync edges: an operator acts while the engine reads the template status', () => {
  it('a job discarded while its template status is being read is never sent and stays discarded', async () => {
    const { store, server } = await setup();
    const [job, other] = enqueueMany(store, ['121', '122']);
    // The real client and service; the operator's discard happens while the status call for the job is on the wire.
    const connect = () => {
      const transport = BwsTransport.fromOptions(clientOptionsFrom(resolveBwsConfig({ settings: store.settings, env: {} })));
      const read = transport.templateStatus.bind(transport);
      transport.templateStatus = async (classId, options) => {
        const status = await read(classId, options);
        if (classId === '121' && store.getJob(job!)?.state === 'queued') store.discard(job!, 'subject withdrew consent');
        return status;
      };
      return transport;
    };
    const engine = track(engineFor(store, { connect, beforeFreshMs: 0 }));
    await engine.start();
    await engine.settle({ timeoutMs: 20_000 });
    expect(server.arrivals.filter((arrival) => arrival.jobId === job).length).toBe(0);
    expect(store.getJob(job!)).toMatchObject({ state: 'discarded' });
    expect(store.getJob(other!)?.state).toBe('synced');
    expect(store.audit.recent(50).filter((entry) => entry.jobId === job).map((entry) => entry.event)).not.toContain('needs_attention');
  });
});

describe('sync edges: the template status read keeps failing', () => {
  it('counts each failed read as a try: the backoff grows and INTERNAL gives up after 5 tries, nothing sent', async () => {
    // The real local service, except that its GetTemplateStatus fails with INTERNAL every time.
    const credentials = { clientId: 'status-failing', key: randomBytes(64).toString('base64') };
    const handlers = createLocalBwsHandlers({ ...credentials, dataDir: tempDir('status-failing-'), dbKey: randomBytes(32), mode: 'store-only' });
    let reads = 0;
    let enrolls = 0;
    const running = await serveBws({
      faceRecognition: {
        ...handlers.faceRecognition,
        GetTemplateStatus: ((_call, callback) => {
          reads += 1;
          callback({ code: grpc.status.INTERNAL, details: 'injected: status store unavailable' });
        }) as grpc.handleUnaryCall<unknown, unknown>,
        Enroll: ((call, callback) => {
          enrolls += 1;
          (handlers.faceRecognition.Enroll as grpc.handleUnaryCall<unknown, unknown>)(call, callback);
        }) as grpc.handleUnaryCall<unknown, unknown>,
      },
      health: handlers.health,
    });
    cleanups.push(async () => {
      await running.close();
      handlers.close();
    });
    const { store } = await freshStore();
    cleanups.push(() => store.close());
    configure(store, `http://127.0.0.1:${running.port}`, credentials);
    const [job] = enqueueMany(store, ['121']);
    const engine = track(engineFor(store, { backoff: { baseMs: 40, capMs: 5_000 } }));
    await engine.start();
    await waitFor(() => store.getJob(job!)?.state === 'needs_attention', 30_000, 'the job to need attention');
    const record = store.getJob(job!)!;
    expect(record.attempts).toBe(5);
    expect(record.lastError?.message).toMatch(/Gave up after 5 attempts/);
    expect(reads).toBeGreaterThanOrEqual(5);
    expect(enrolls).toBe(0);
  });
});
