import { afterEach, describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../src/engine/store/database.js';
import { QUEUE_MIGRATIONS } from '../../src/engine/store/migrations/index.js';
import { dataPaths } from '../../src/engine/paths.js';
import type { QueueStore } from '../../src/engine/store/queue-store.js';
import { tempDir } from '../helpers/paths.js';
import { freshStore, newKey, openStore, syntheticImage } from './helpers.js';

// Each queued job's images are sealed with a key of the job's own; deleting them destroys that key.
const stores: QueueStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

async function fresh() {
  const made = await freshStore();
  stores.push(made.store);
  return made;
}

const stored = (store: QueueStore, id: string) =>
  store.db.prepare('SELECT bytes FROM images WHERE job_id = ? ORDER BY position').pluck().all(id) as Buffer[];
const imageKey = (store: QueueStore, id: string) => store.db.prepare('SELECT image_key FROM jobs WHERE id = ?').pluck().get(id) as Buffer | null;

describe('queue store: per-job image keys', () => {
  it('stores images sealed with the job key and reads them back exactly', async () => {
    const { store } = await fresh();
    const images = [syntheticImage('a.jpg', 30_000), syntheticImage('b.jpg', 5_000)];
    const id = store.enqueue({ classId: '501', images });
    expect(imageKey(store, id)?.length).toBe(32);
    const rows = stored(store, id);
    // Sealed: neither the bytes nor any run of them is in the row (nonce, tag and ciphertext instead).
    rows.forEach((row, i) => {
      expect(row.length).toBe(images[i]!.bytes.length + 28);
      expect(row.includes(Buffer.from(images[i]!.bytes).subarray(100, 164))).toBe(false);
    });
    expect(store.loadImages(id)).toEqual(images.map((image) => Buffer.from(image.bytes)));
  });

  it('a synced or discarded job loses its key with its images; rows moved between jobs or positions are refused', async () => {
    const { store } = await fresh();
    const synced = store.enqueue({ classId: '502', images: [syntheticImage('a.jpg')] });
    await store.markSending(synced, { before: null, reference: 'r-1', deadlineMs: 1000, now: Date.now() });
    store.markSynced(synced, { now: Date.now(), serverJobId: 'srv', performedAction: 'NEW_TEMPLATE_CREATED' });
    expect(imageKey(store, synced)).toBeNull();
    // unreadable from the sync on; the rows themselves go with a later batch (see the next test)
    expect(store.loadImages(synced)).toEqual([]);
    expect(store.reclaimSynced()).toBe(1);
    expect(stored(store, synced)).toEqual([]);

    const discarded = store.enqueue({ classId: '503', images: [syntheticImage('b.jpg')] });
    store.discard(discarded, 'taken by mistake');
    expect(imageKey(store, discarded)).toBeNull();
    expect(stored(store, discarded)).toEqual([]);

    const two = store.enqueue({ classId: '504', images: [syntheticImage('c.jpg'), syntheticImage('d.jpg')] });
    const move = store.db.prepare('UPDATE images SET position = ? WHERE job_id = ? AND position = ?');
    move.run(5, two, 0);
    move.run(0, two, 1);
    move.run(1, two, 5);
    expect(() => store.loadImages(two)).toThrow(expect.objectContaining({ code: 'DB_CORRUPT', message: expect.stringMatching(/cannot be read back/) }));
  });

  it('the rows synced jobs leave are deleted 16 jobs at a time, when the store closes, and by the sweep after a crash', async () => {
    const { dir, key, store } = await fresh();
    const ids = Array.from({ length: 20 }, (_, i) => store.enqueue({ classId: String(600 + i), images: [syntheticImage(`${i}.jpg`)], embeddings: [new Float32Array(512).fill(i)] }));
    const sync = async (id: string) => {
      await store.markSending(id, { before: null, reference: `r-${id}`, deadlineMs: 1000, now: Date.now() });
      store.markSynced(id, { now: Date.now(), serverJobId: 'srv', performedAction: 'NEW_TEMPLATE_CREATED' });
    };
    const rows = (table: 'images' | 'analysis') => (ids: string[]) => ids.reduce((n, id) => n + (store.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE job_id = ?`).pluck().get(id) as number), 0);
    for (const id of ids.slice(0, 15)) await sync(id);
    expect(ids.slice(0, 15).every((id) => imageKey(store, id) === null)).toBe(true);
    expect(rows('images')(ids.slice(0, 15))).toBe(15);
    await sync(ids[15]!);
    expect(rows('images')(ids.slice(0, 16))).toBe(0);
    expect(rows('analysis')(ids.slice(0, 16))).toBe(0);
    // the relaxed writes put the connection's switches back: fsync'd commits, zeroing deletes
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('secure_delete', { simple: true })).toBe(1);

    // A crash (the connection ends without the store's close) leaves the rows of the last synced jobs.
    await sync(ids[16]!);
    await sync(ids[17]!);
    store.db.close();
    const reopened = await openStore(dir, key);
    stores.push(reopened);
    expect(reopened.reclaimSynced()).toBe(0);
    expect(reopened.reclaimSynced({ sweep: true })).toBe(2);
    expect(reopened.db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(2);
    // the unsynced jobs keep their images, readable; their embeddings and the synced jobs' (retention) stay
    expect(reopened.loadImages(ids[18]!)).toHaveLength(1);
    expect(reopened.loadImages(ids[19]!)).toHaveLength(1);
    expect(reopened.db.prepare('SELECT COUNT(*) FROM embeddings').pluck().get()).toBe(20);

    // A clean close deletes what is left.
    await reopened.markSending(ids[18]!, { before: null, reference: 'r-18', deadlineMs: 1000, now: Date.now() });
    reopened.markSynced(ids[18]!, { now: Date.now(), serverJobId: 'srv', performedAction: 'NEW_TEMPLATE_CREATED' });
    reopened.close();
    const last = await openStore(dir, key);
    stores.push(last);
    expect(last.db.prepare('SELECT job_id FROM images').pluck().all()).toEqual([ids[19]]);
  });

  it('jobs queued by a station before image keys load and delete as they were stored', async () => {
    const { dir, key } = await freshLegacy();
    const legacy = await openStore(dir, key);
    stores.push(legacy);
    expect(legacy.db.pragma('user_version', { simple: true })).toBe(QUEUE_MIGRATIONS.at(-1)!.version);
    expect(imageKey(legacy, 'legacy-job')).toBeNull();
    expect(legacy.loadImages('legacy-job')).toEqual([Buffer.from('plain image bytes')]);
    await legacy.markSending('legacy-job', { before: null, reference: 'r-2', deadlineMs: 1000, now: Date.now() });
    legacy.markSynced('legacy-job', { now: Date.now(), serverJobId: null, performedAction: 'TEMPLATE_UPDATED' });
    expect(stored(legacy, 'legacy-job')).toEqual([]);
  });
});

/** A data folder whose queue was created and filled at schema version 2 (before image keys). */
async function freshLegacy(): Promise<{ dir: string; key: string }> {
  const dir = tempDir('station-queue-legacy-');
  const key = newKey();
  const file = dataPaths(dir).queueDb;
  const db = openEncryptedDatabase({ file, key: Buffer.from(key, 'base64'), create: true, migrations: QUEUE_MIGRATIONS.slice(0, 2) });
  expect(db.pragma('user_version', { simple: true })).toBe(2);
  const now = Date.now();
  db.prepare("INSERT INTO jobs (id, seq, class_id, state, image_count, created_at, updated_at) VALUES ('legacy-job', 1, '505', 'queued', 1, ?, ?)").run(now, now);
  db.prepare("INSERT INTO images (job_id, position, name, bytes, sha256) VALUES ('legacy-job', 0, 'old.jpg', ?, 'x')").run(Buffer.from('plain image bytes'));
  db.close();
  return { dir, key };
}
