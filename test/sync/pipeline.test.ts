import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientOptionsFrom, resolveBwsConfig } from '../../src/engine/bws/config.js';
import { BwsTransport } from '../../src/engine/sync/bws-transport.js';
import { recordWalSyncs } from '../store/helpers.js';
import type { QueueStore } from '../../src/engine/store/queue-store.js';
import type { FaultyBws } from './fault-server.js';
import { engineFor, enqueueMany, useSyncFixtures, waitFor } from './helpers.js';

const { setup, track } = useSyncFixtures();
afterEach(() => {
  vi.restoreAllMocks();
});

describe('sync engine: the next send is prepared behind the one in flight', () => {
  it('a freed send slot goes to the next job (status read and images ready) before the answered job is written', async () => {
    const { store, server } = await setup();
    const [first, second] = enqueueMany(store, ['801', '802']);
    // The first Enroll (of whichever job is marked first) is answered only once the engine holds both jobs'
    // template statuses (noted one turn after a reading resolved, so the engine's own handling of it has run).
    const read = new Set<string>();
    const steps: string[] = [];
    const connect = () => {
      const transport = BwsTransport.fromOptions(clientOptionsFrom(resolveBwsConfig({ settings: store.settings, env: {} })));
      const readStatus = transport.templateStatus.bind(transport);
      transport.templateStatus = async (classId, options) => {
        const status = await readStatus(classId, options);
        setImmediate(() => read.add(classId));
        return status;
      };
      const enroll = transport.enroll.bind(transport);
      transport.enroll = (classId, images, options) => {
        steps.push(`${classId} request leaves`);
        return enroll(classId, images, options);
      };
      return transport;
    };
    server.plan = (_arrival, index) => (index === 0 ? { kind: 'hold', until: () => read.has('801') && read.has('802') } : { kind: 'pass' });
    const engine = track(engineFor(store, { concurrency: 1, connect }));
    engine.on('job', (change) => {
      if (change.state === 'synced') steps.push(`${change.classId} synced`);
    });
    await engine.start();
    const status = await engine.settle({ timeoutMs: 20_000 });
    expect(status.counts.synced).toBe(2);
    // The second request left before the first job's after-answer write (its `synced` event), with one slot.
    // (Both jobs are prepared at once, so either may go first.)
    const order = server.arrivals.map((arrival) => arrival.classId);
    expect([...order].sort()).toEqual(['801', '802']);
    expect(steps).toEqual([`${order[0]} request leaves`, `${order[1]} request leaves`, `${order[0]} synced`, `${order[1]} synced`]);
    expect([server.commits.get(first!), server.commits.get(second!)]).toEqual([1, 1]);
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

  it('the next job is staged behind the send in flight: its mark is on disk before that answer, and it leaves right after it', async () => {
    // Both jobs are prepared at once; whichever is marked first takes the only slot. While that send is held,
    // the other job is marked `sending` (durably) but its request does not leave.
    const { store, server, engine, release, sent, staged } = await firstSendHeld(['821', '822']);
    expect(store.getJob(staged)?.attempts).toBe(1);
    const flushesAfter = recordWalSyncs();
    release();
    expect((await engine.settle({ timeoutMs: 20_000 })).counts.synced).toBe(2);
    expect(server.arrivals.map((arrival) => arrival.jobId)).toEqual([sent, staged]);
    expect([server.commits.get(sent), server.commits.get(staged)]).toEqual([1, 1]);
    // Its request needed no flush of its own after the answer: the mark had been flushed while it waited.
    expect(flushesAfter.done).toBe(0);
    expect(store.getJob(staged)?.attempts).toBe(1);
  });

  it('a staged job goes back to the queue when the engine stops: attempt uncounted, nothing sent', async () => {
    const { store, server, engine, release, sent, staged, events } = await firstSendHeld(['831', '832']);
    const stopped = engine.stop();
    // The staged job is put back at once, while the held send is still in flight.
    await waitFor(() => store.getJob(staged)?.state === 'queued', 20_000, 'the staged job put back');
    release();
    await stopped;
    expect(store.getJob(sent)?.state).toBe('synced');
    expect(store.getJob(staged)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(server.arrivals.map((arrival) => arrival.jobId)).toEqual([sent]);
    expect(events.filter((event) => event.startsWith(staged))).toEqual([`${staged} sending`, `${staged} queued`]);
    expect(events.at(-1)).toBe(`${sent} synced`);
  });

  it('a staged job that waited too long gives its mark back and is marked again, so its request gets the whole deadline', async () => {
    const { store, server } = await setup();
    const jobs = enqueueMany(store, ['841', '842']);
    // The first Enroll is answered once the other job has been staged for 1.1 s, more than 25 % of the 4 s
    // deadline: the staged job has less than the 75 % it needs left, so it is put back and sent on a fresh mark.
    let stagedSeenAt: number | null = null;
    const staged = () => {
      if (stagedSeenAt === null && jobs.every((id) => store.getJob(id)?.state === 'sending')) stagedSeenAt = Date.now();
      return stagedSeenAt !== null && Date.now() - stagedSeenAt > 1_100;
    };
    server.plan = (_arrival, index) => (index === 0 ? { kind: 'hold', until: staged } : { kind: 'pass' });
    const engine = track(engineFor(store, { concurrency: 1, enrollDeadlineMs: 4_000 }));
    const events: string[] = [];
    engine.on('job', (change) => events.push(`${change.id} ${change.state}`));
    await engine.start();
    expect((await engine.settle({ timeoutMs: 20_000 })).counts.synced).toBe(2);
    const [sent, later] = server.arrivals.map((arrival) => arrival.jobId!);
    expect([sent, later].sort()).toEqual([...jobs].sort());
    expect(events.filter((event) => event.startsWith(later!))).toEqual(['sending', 'queued', 'sending', 'synced'].map((state) => `${later} ${state}`));
    expect(store.getJob(later!)?.attempts).toBe(1);
    expect(server.commits.get(later!)).toBe(1);
  });
});

/**
 * One slot, two jobs, the first Enroll held until `release()`: waits until one request has arrived and the
 * other job is staged behind it. Events are recorded as `<job id> <state>`.
 */
async function firstSendHeld(classIds: [string, string]) {
  const { store, server } = await setup();
  const jobs = enqueueMany(store, classIds);
  let released = false;
  server.plan = (_arrival, index) => (index === 0 ? { kind: 'hold', until: () => released } : { kind: 'pass' });
  // A deadline long enough for a loaded machine: the held send must not time out, nor the staged job's share.
  const engine = track(engineFor(store, { concurrency: 1, enrollDeadlineMs: 20_000 }));
  const events: string[] = [];
  engine.on('job', (change) => events.push(`${change.id} ${change.state}`));
  await engine.start();
  const [sent, staged] = await sentAndStaged(store, server, jobs);
  return { store, server, engine, events, sent, staged, release: () => (released = true) };
}

/** With one slot and two jobs: waits until one request has arrived and the other job is staged; [sent, staged]. */
async function sentAndStaged(store: QueueStore, server: FaultyBws, jobs: string[]): Promise<[string, string]> {
  await waitFor(() => server.arrivals.length === 1 && jobs.every((id) => store.getJob(id)?.state === 'sending'), 20_000, 'one send and one staged job');
  const sent = server.arrivals[0]!.jobId!;
  const staged = jobs.find((id) => id !== sent)!;
  expect(server.arrivals).toHaveLength(1);
  return [sent, staged];
}
