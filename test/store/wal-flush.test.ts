import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QueueStore } from '../../src/engine/store/queue-store.js';
import { freshStore, openStore, recordWalSyncs, syntheticImage } from './helpers.js';

describe('the sending mark is flushed to disk off the event loop', () => {
  const stores: QueueStore[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const store of stores.splice(0)) store.close();
  });

  it('resolves only after an fdatasync of the WAL that started after the commit; marks made together share one', async () => {
    const { store } = await freshStore();
    stores.push(store);
    const ids = ['11', '12', '13', '14', '15'].map((classId) => store.enqueue({ classId, images: [syntheticImage(`${classId}.jpg`)] }));
    const syncs = recordWalSyncs();
    const args = { before: null, reference: 'r', deadlineMs: 1000, now: Date.now() };
    const first = store.markSending(ids[0]!, args);
    // Committed at once (another connection sees it), but not yet reported durable.
    expect(store.getJob(ids[0]!)?.state).toBe('sending');
    expect(syncs.done).toBe(0);
    expect(await first).toBe(true);
    expect(syncs.done).toBe(1);

    // Four marks while none is flushed yet: the first flush covers the first, one more covers the other three.
    const flushed: number[] = [];
    const marks = ids.slice(1).map((id) => store.markSending(id, args).then((ok) => {
      flushed.push(syncs.done);
      return ok;
    }));
    expect(await Promise.all(marks)).toEqual([true, true, true, true]);
    expect(syncs.done).toBe(3);
    expect(flushed).toEqual([2, 3, 3, 3]);
    // A refused mark (no longer waiting) writes nothing and waits for nothing.
    expect(await store.markSending(ids[1]!, args)).toBe(false);
    expect(syncs.started).toBe(3);
  });

  it('opens the WAL file once for all its flushes, and again after the store was closed and opened', async () => {
    const { store, dir, key } = await freshStore();
    stores.push(store);
    const ids = ['21', '22', '23'].map((classId) => store.enqueue({ classId, images: [syntheticImage(`${classId}.jpg`)] }));
    const syncs = recordWalSyncs();
    const openSync = fs.openSync.bind(fs);
    const walOpens: string[] = [];
    vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
      if (String(args[0]).endsWith('-wal')) walOpens.push(String(args[0]));
      return openSync(...args);
    });
    const args = { before: null, reference: 'r', deadlineMs: 1000, now: Date.now() };
    for (const id of ids) expect(await store.markSending(id, args)).toBe(true);
    expect(syncs.done).toBe(3);
    expect(walOpens).toHaveLength(1);
    store.close();
    const reopened = await openStore(dir, key);
    stores.push(reopened);
    const later = reopened.enqueue({ classId: '24', images: [syntheticImage('24.jpg')] });
    expect(await reopened.markSending(later, args)).toBe(true);
    expect(walOpens).toHaveLength(2);
    expect(syncs.done).toBe(4);
  });
});
