import { afterEach, describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../src/engine/store/database.js';
import { QUEUE_MIGRATIONS } from '../../src/engine/store/migrations/index.js';
import type { QueueStore } from '../../src/engine/store/queue-store.js';
import { dataPaths } from '../../src/engine/paths.js';
import { tempDir } from '../helpers/paths.js';
import { freshStore, newKey, openStore, syntheticImage } from './helpers.js';

/** What counts() must say: a full scan of the jobs, every state present (0 when none). */
function scanned(store: QueueStore): Record<string, number> {
  const counts = Object.fromEntries(Object.keys(store.counts()).map((state) => [state, 0]));
  for (const row of store.db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as Array<{ state: string; n: number }>) counts[row.state] = row.n;
  return counts;
}

describe('job counts kept per state', () => {
  const stores: QueueStore[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });

  it('agree with a full scan of the jobs through a whole queue life, including writes by another connection', async () => {
    let clock = 1_000_000;
    const { dir, key, store } = await freshStore({ now: () => clock });
    stores.push(store);
    const ids = Array.from({ length: 8 }, (_, i) => store.enqueue({ classId: String(100 + i), images: [syntheticImage(`${i}.jpg`)] }));
    expect(store.counts()).toEqual(scanned(store));
    expect(store.counts().queued).toBe(8);

    await store.markSending(ids[0]!, { before: null, reference: 'r0', deadlineMs: 1000, now: clock });
    store.markSynced(ids[0]!, { now: clock, serverJobId: 'a', performedAction: 'NEW_TEMPLATE_CREATED' });
    await store.markSending(ids[1]!, { before: null, reference: 'r1', deadlineMs: 1000, now: clock });
    store.markNeedsAttention(ids[1]!, clock, { code: 'BWS_ERROR', message: 'no' });
    await store.markSending(ids[2]!, { before: null, reference: 'r2', deadlineMs: 1000, now: clock });
    store.markAmbiguous(ids[2]!, clock, clock, { code: 'DEADLINE_EXCEEDED', message: 'late' });
    store.markRetryWait(ids[3]!, clock, clock + 5000, { code: 'UNAVAILABLE', message: 'down' }, { countAttempt: true });
    store.discard(ids[4]!, 'taken twice');
    // A state written again with the same value changes nothing.
    store.markQueued(ids[5]!, clock);
    expect(store.counts()).toEqual(scanned(store));
    expect(store.counts()).toMatchObject({ queued: 3, synced: 1, needs_attention: 1, ambiguous: 1, retry_wait: 1, discarded: 1 });

    expect(store.retry(ids[1]!)).toBe(1);
    store.settings.setFromText('unsyncedRetentionDays', '30');
    clock += 400 * 86_400_000;
    expect(store.purge().jobs).toBeGreaterThan(0);
    expect(store.counts()).toEqual(scanned(store));

    // Another process writing the same folder keeps the counts right too (they are kept in the database).
    const other = await openStore(dir, key);
    stores.push(other);
    other.enqueue({ classId: '999', images: [syntheticImage('x.jpg')] });
    other.db.prepare("UPDATE jobs SET state = 'queued' WHERE state = 'ambiguous'").run();
    other.db.prepare('DELETE FROM jobs WHERE id = ?').run(ids[6]);
    expect(store.counts()).toEqual(scanned(store));
  });

  it('a queue from before the counts starts with the jobs it already has', async () => {
    const dir = tempDir('station-queue-counts-');
    const key = newKey();
    const db = openEncryptedDatabase({ file: dataPaths(dir).queueDb, key: Buffer.from(key, 'base64'), create: true, migrations: QUEUE_MIGRATIONS.slice(0, 3) });
    const insert = db.prepare('INSERT INTO jobs (id, seq, class_id, state, image_count, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 0, 0)');
    ['queued', 'queued', 'synced', 'needs_attention'].forEach((state, i) => insert.run(`old-${i}`, i + 1, String(300 + i), state));
    db.close();
    const store = await openStore(dir, key);
    stores.push(store);
    expect(store.counts()).toMatchObject({ queued: 2, synced: 1, needs_attention: 1, sending: 0 });
    expect(store.counts()).toEqual(scanned(store));
  });
});
