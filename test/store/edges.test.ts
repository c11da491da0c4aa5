import { describe, expect, it } from 'vitest';
import { freshStore, syntheticImage } from './helpers.js';

describe('queue store edges', () => {
  it('markSending refuses a job that is no longer waiting (discarded meanwhile): nothing is marked, nothing may be sent', async () => {
    const { store } = await freshStore();
    try {
      const id = store.enqueue({ classId: '31', images: [syntheticImage('a.jpg')] });
      store.discard(id, 'subject withdrew consent');
      const args = { before: { available: false, featureVectors: 0, enrolled: null }, reference: 'r', deadlineMs: 1000, now: Date.now() };
      expect(await store.markSending(id, args)).toBe(false);
      expect(store.getJob(id)).toMatchObject({ state: 'discarded', attempts: 0, before: null });
      const waiting = store.enqueue({ classId: '32', images: [syntheticImage('b.jpg')] });
      expect(await store.markSending(waiting, args)).toBe(true);
      expect(store.getJob(waiting)).toMatchObject({ state: 'sending', attempts: 1 });
    } finally {
      store.close();
    }
  });

  it('a job whose send may have landed is picked before an older job of its class that an operator retried', async () => {
    const { store } = await freshStore();
    try {
      const [older, newer, other] = ['41', '41', '42'].map((classId, i) => store.enqueue({ classId, images: [syntheticImage(`${i}.jpg`)] }));
      const now = Date.now();
      await store.markSending(older!, { before: null, reference: 'r1', deadlineMs: 1000, now });
      store.markNeedsAttention(older!, now, { code: 'INVALID_ARGUMENT', message: 'bad' });
      await store.markSending(newer!, { before: { available: true, featureVectors: 2, enrolled: null }, reference: 'r2', deadlineMs: 1000, now });
      store.markAmbiguous(newer!, now, now, { code: 'UNAVAILABLE', message: 'connection dropped' });
      store.retry(older!);
      expect(store.pickCandidates(now, new Set(), 10).map((job) => job.id)).toEqual([newer, other]);
      // while the class is busy (its reconcile under way), nothing else of it is picked either
      expect(store.pickCandidates(now, new Set(['41']), 10).map((job) => job.id)).toEqual([other]);
    } finally {
      store.close();
    }
  });
});
