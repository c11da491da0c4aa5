import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { QueueStore } from '../../src/engine/store/queue-store.js';
import { syncDocumentSchema } from '../../src/shared/json-documents.js';
import { queueOutputSchema } from '../../src/shared/schemas.js';
import { type LocalFixture, startFixture } from '../bws/helpers.js';
import { tempDir } from '../helpers/paths.js';
import { enqueueMany } from '../sync/helpers.js';
import { station, testDbKey } from './helpers.js';

/** The local time of day as `station sync` prints it. */
function clock(iso: string): string {
  const at = new Date(iso);
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

/**
 * `station sync --once` after a crash that left a job in `sending`: the request may still be on the wire, so
 * the job waits out that send's deadline before it is reconciled. The command says so and when; `--wait`
 * keeps going past that moment. Against a real local BWS service on 127.0.0.1 (store-only: it counts what
 * lands, so "exactly once" is a count).
 */
describe('station sync --once after a crash mid-send', () => {
  let service: LocalFixture;
  beforeAll(async () => {
    service = await startFixture({ mode: 'store-only' });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('explains the wait with the real deadline, and --wait N past it reconciles and syncs the job exactly once', async () => {
    const dataDir = path.join(tempDir('station-once-'), 'data');
    const dbKey = testDbKey();
    const env = { STATION_DB_KEY: dbKey, BWS_ENDPOINT: service.endpoint, BWS_CLIENT_ID: service.credentials.clientId, BWS_KEY: service.credentials.key };
    // The crash: the engine made `sending` durable (with the template status before the send and the send's
    // deadline) and died before the request left or its answer came back.
    const store = await QueueStore.open({ dataDir, keyProvider: new HeadlessKeyProvider({ envKey: dbKey }), create: true });
    const [jobId] = enqueueMany(store, ['7001'], 2);
    expect(await store.markSending(jobId!, { before: { available: false, featureVectors: 0, enrolled: null }, beforeAt: Date.now(), reference: 'crashed-send', deadlineMs: 25_000, now: Date.now() })).toBe(true);
    store.close();

    const once = await station(['--data-dir', dataDir, 'sync', '--once'], env);
    expect(once.code, once.stdout + once.stderr).toBe(3);
    const [job] = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout)).jobs;
    expect(job).toMatchObject({ id: jobId, state: 'ambiguous' });
    const line = once.stdout.match(/^1 waiting for an earlier send's deadline, next check at (\d\d:\d\d:\d\d), in (\d+) s\.$/m);
    expect(line, once.stdout).not.toBeNull();
    expect(line![1]).toBe(clock(job!.nextAttemptAt!));
    expect(Number(line![2])).toBeLessThanOrEqual(30);
    expect(once.stdout).toMatch(/station sync --once --wait <seconds>/);

    // The same facts in the JSON document; a bound that ends before the deadline changes nothing.
    const short = await station(['--data-dir', dataDir, '--json', 'sync', '--once', '--wait', '0.5'], env);
    expect(short.code, short.stderr).toBe(3);
    const document = syncDocumentSchema.parse(JSON.parse(short.stdout));
    expect(document.waiting).toEqual([{ reason: 'sendDeadline', jobs: 1, nextAt: job!.nextAttemptAt, inSeconds: expect.any(Number) }]);
    expect(document.counts).toMatchObject({ ambiguous: 1, synced: 0 });
    expect(await service.client().getTemplateStatus('7001')).toMatchObject({ response: { available: false } });

    const waited = await station(['--data-dir', dataDir, '--json', 'sync', '--once', '--wait', '120'], env);
    expect(waited.code, waited.stderr).toBe(0);
    const done = syncDocumentSchema.parse(JSON.parse(waited.stdout));
    expect(done).toMatchObject({ syncedNow: 1, waiting: [], counts: { synced: 1, ambiguous: 0, queued: 0 } });
    // Two images, one Enroll: the template holds exactly two feature vectors.
    expect((await service.client().getTemplateStatus('7001')).response).toMatchObject({ available: true, feature_vectors: 2 });
    const [after] = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout)).jobs;
    expect(after).toMatchObject({ id: jobId, state: 'synced' });
  });

  it('--wait needs --once (not --watch) and a number of seconds', async () => {
    const dataDir = path.join(tempDir('station-once-'), 'data');
    const bad = await station(['--data-dir', dataDir, 'sync', '--watch', '--wait', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--wait goes with --once/);
    const notNumber = await station(['--data-dir', dataDir, 'sync', '--once', '--wait', 'soon']);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toMatch(/--wait takes a number of seconds/);
  });
});
