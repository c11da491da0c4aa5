import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientOptionsFrom, resolveBwsConfig } from '../../src/engine/bws/config.js';
import { BwsTransport } from '../../src/engine/sync/bws-transport.js';
import { recordWalSyncs } from '../store/helpers.js';
import { engineFor, enqueueMany, useSyncFixtures } from './helpers.js';

const { setup, track } = useSyncFixtures();
afterEach(() => {
  vi.restoreAllMocks();
});

describe('sync engine: the next send is prepared behind the one in flight', () => {
  it('a freed send slot goes to the next job (status read and images ready) before the answered job is written', async () => {
    const { store, server } = await setup();
    const [first, second] = enqueueMany(store, ['801', '802']);
    // The first Enroll is answered only once the engine holds the second job's template status, read ahead
    // (set one turn after the reading resolved, so the engine's own handling of it has run).
    let readAhead = false;
    const connect = () => {
      const transport = BwsTransport.fromOptions(clientOptionsFrom(resolveBwsConfig({ settings: store.settings, env: {} })));
      const read = transport.templateStatus.bind(transport);
      transport.templateStatus = async (classId, options) => {
        const status = await read(classId, options);
        if (classId === '802') setImmediate(() => (readAhead = true));
        return status;
      };
      return transport;
    };
    server.plan = (_arrival, index) => (index === 0 ? { kind: 'hold', until: () => readAhead } : { kind: 'pass' });
    const engine = track(engineFor(store, { concurrency: 1, connect }));
    const events: string[] = [];
    engine.on('job', (change) => events.push(`${change.classId} ${change.state}`));
    await engine.start();
    const status = await engine.settle({ timeoutMs: 20_000 });
    expect(status.counts.synced).toBe(2);
    // The second request left before the first job's after-answer write (its `synced` event), with one slot.
    expect(events).toEqual(['801 sending', '802 sending', '801 synced', '802 synced']);
    expect([server.commits.get(first!), server.commits.get(second!)]).toEqual([1, 1]);
    expect(server.arrivals.map((arrival) => arrival.classId)).toEqual(['801', '802']);
  });

  it('each request leaves only once its sending mark is on disk (the WAL flushed after the mark)', async () => {
    const { store, server } = await setup();
    enqueueMany(store, ['811', '812', '813', '814']);
    const syncs = recordWalSyncs();
    const seen: number[] = [];
    server.plan = () => {
      seen.push(syncs.done);
      return { kind: 'pass' };
    };
    const engine = track(engineFor(store, { concurrency: 1 }));
    await engine.start();
    expect((await engine.settle({ timeoutMs: 20_000 })).counts.synced).toBe(4);
    // One send at a time, so one mark per send: the n-th request arrived after at least n flushes.
    expect(seen).toHaveLength(4);
    seen.forEach((flushes, index) => expect(flushes).toBeGreaterThanOrEqual(index + 1));
  });
});

