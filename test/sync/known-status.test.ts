import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { engineFor, enqueueMany, useSyncFixtures, waitFor } from './helpers.js';

const { setup, track } = useSyncFixtures();

describe('sync engine: the template status before a send, without a second call where the service already said it', () => {
  it("the answer's template status serves the class's next send: one status read for three jobs of a class", async () => {
    const { store, server } = await setup();
    const jobs = enqueueMany(store, ['901', '901', '901']);
    const engine = track(engineFor(store));
    await engine.start();
    expect((await engine.settle({ timeoutMs: 20_000 })).counts.synced).toBe(3);
    expect(server.statusReads.filter((classId) => classId === '901')).toHaveLength(1);
    // Each send recorded the template as it was right before it (2 images per job, one vector each).
    expect(jobs.map((id) => store.getJob(id)?.before)).toEqual([
      { available: false, featureVectors: 0, enrolled: null },
      expect.objectContaining({ available: true, featureVectors: 2 }),
      expect.objectContaining({ available: true, featureVectors: 4 }),
    ]);
    expect(jobs.map((id) => server.commits.get(id))).toEqual([1, 1, 1]);
  });

  it("an answer whose status does not show this very enrollment is not trusted: the class's next send reads it", async () => {
    const { store, server } = await setup();
    // The template exists with one vector; the first answer reports the template as it was before the send.
    server.handlers.store.addFeatures('902', [{ vector: null, thumbnail: null }], 1);
    const [first, second] = enqueueMany(store, ['902', '902']);
    server.plan = (_arrival, index) => (index === 0
      ? { kind: 'rewrite', change: (answer) => ({ ...answer, template_status: { ...(answer.template_status as object), feature_vectors: 1 } }) }
      : { kind: 'pass' });
    const engine = track(engineFor(store));
    await engine.start();
    expect((await engine.settle({ timeoutMs: 20_000 })).counts.synced).toBe(2);
    expect(server.statusReads.filter((classId) => classId === '902')).toHaveLength(2);
    expect(store.getJob(first!)?.before).toMatchObject({ available: true, featureVectors: 1 });
    expect(store.getJob(second!)?.before).toMatchObject({ available: true, featureVectors: 3 });
  });

  it('a status read ahead for one job is used by the next send of its class only: a retried older job goes first, the later one gets the status after it', async () => {
    const { store, server } = await setup();
    const [older] = enqueueMany(store, ['904']);
    let release = false;
    // The older job's first send is refused; the first send after it is held until the test releases it.
    server.plan = (arrival, index) => {
      if (index === 0) return { kind: 'status', code: grpc.status.INVALID_ARGUMENT, details: 'injected: refused' };
      if (index === 1) return { kind: 'hold', until: () => release };
      return { kind: 'pass' };
    };
    const engine = track(engineFor(store, { concurrency: 1 }));
    await engine.start();
    await waitFor(() => store.getJob(older!)?.state === 'needs_attention', 20_000, 'the refusal');
    // With one slot: one of 905 / 906 is sent and held, the other staged behind it, and the later job of 904
    // (now the oldest of its class that can go) has its status read ahead.
    const [other, staged, later] = enqueueMany(store, ['905', '906', '904']);
    engine.wake();
    await waitFor(() => server.arrivals.length === 2 && store.getJob(other!)?.state === 'sending' && store.getJob(staged!)?.state === 'sending' && server.statusReads.filter((classId) => classId === '904').length === 2, 20_000, 'the read-ahead');
    expect(store.retry(older!)).toBe(1);
    release = true;
    expect((await engine.settle({ timeoutMs: 20_000 })).counts.synced).toBe(4);
    const arrived = server.arrivals.map((arrival) => arrival.jobId);
    expect(arrived.slice(3)).toEqual([older, later]);
    expect([...arrived.slice(1, 3)].sort()).toEqual([other, staged].sort());
    // The retried job was sent on the status read ahead (the template did not exist); the later job recorded
    // the template after the retried job landed, not the reading taken before it.
    expect(store.getJob(older!)?.before).toMatchObject({ available: false });
    expect(store.getJob(later!)?.before).toMatchObject({ available: true, featureVectors: 2 });
    expect(server.statusReads.filter((classId) => classId === '904')).toHaveLength(2);
    expect([server.commits.get(older!), server.commits.get(later!)]).toEqual([1, 1]);
  });
});
