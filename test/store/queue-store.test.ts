import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_MIGRATIONS } from '../../src/engine/store/migrations/index.js';
import { auditRowHash } from '../../src/engine/store/audit.js';
import { openEncryptedDatabase } from '../../src/engine/store/database.js';
import { dataPaths } from '../../src/engine/paths.js';
import type { QueueStore } from '../../src/engine/store/queue-store.js';
import { freshStore, openStore, syntheticImage } from './helpers.js';

const DAY = 86_400_000;
const stores: QueueStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

async function fresh(now?: () => number) {
  const made = await freshStore(now ? { now } : {});
  stores.push(made.store);
  return made;
}

function vector(seed: number): Float32Array {
  return Float32Array.from({ length: 512 }, (_, i) => Math.sin(seed * 31 + i));
}

describe('queue store: schema and migrations', () => {
  it('creates every table from an empty folder, and re-opening applies nothing twice', async () => {
    const { dir, key, store } = await fresh();
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    expect(tables).toEqual(expect.arrayContaining(['analysis', 'audit', 'embeddings', 'images', 'jobs', 'meta', 'receipts', 'settings', 'source_hashes']));
    expect(store.db.pragma('user_version', { simple: true })).toBe(QUEUE_MIGRATIONS.at(-1)!.version);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const id = store.enqueue({ classId: '42', images: [syntheticImage('a.jpg')] });
    store.close();
    const again = await openStore(dir, key);
    stores.push(again);
    expect(again.getJob(id)?.state).toBe('queued');
    expect(again.db.pragma('user_version', { simple: true })).toBe(QUEUE_MIGRATIONS.at(-1)!.version);
  });

  it('refuses a database written by a newer station and leaves it unchanged', async () => {
    const { dir, key, store } = await fresh();
    store.db.pragma('user_version = 99');
    store.close();
    const file = dataPaths(dir).queueDb;
    const before = createHash('sha256').update(await import('node:fs').then((fs) => fs.readFileSync(file))).digest('hex');
    await expect(openStore(dir, key)).rejects.toMatchObject({ code: 'DB_CORRUPT', message: expect.stringMatching(/newer station/) });
    const fs = await import('node:fs');
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(before);
    expect(() => openEncryptedDatabase({ file, key: Buffer.from(key, 'base64'), create: false, migrations: QUEUE_MIGRATIONS })).toThrow(/newer station/);
  });
});

describe('queue store: jobs', () => {
  it('queues a job in one piece and lists it as a JobSummary; class ids stay exact strings', async () => {
    const { store } = await fresh();
    const images = [syntheticImage('front.jpg'), syntheticImage('left.jpg'), syntheticImage('right.jpg')];
    images[0]!.sourceSha256 = 'a'.repeat(64);
    const id = store.enqueue({ classId: '9223372036854775807', images, embeddings: [vector(1), vector(2)], note: 'walk-in' });
    const [summary] = store.listJobs();
    expect(summary).toMatchObject({ id, classId: '9223372036854775807', state: 'queued', attempts: 0, imageCount: 3, note: 'walk-in', lastError: null });
    expect(store.counts()).toMatchObject({ queued: 1, synced: 0 });
    const loaded = store.loadImages(id);
    expect(loaded.map((b) => Buffer.compare(b, Buffer.from(images[loaded.indexOf(b)]!.bytes)))).toEqual([0, 0, 0]);
    expect(store.hasSourceHash('a'.repeat(64))).toBe(true);
    expect(store.hasSourceHash('b'.repeat(64))).toBe(false);
    expect([...store.knownSourceHashes()]).toEqual(['a'.repeat(64)]);
    const gallery = store.galleryEmbeddings();
    expect(gallery.map((entry) => [entry.classId, entry.synced])).toEqual([['9223372036854775807', false], ['9223372036854775807', false]]);
    expect(Array.from(gallery[1]!.embedding)).toEqual(Array.from(vector(2)));
  });

  it('rejects bad input with coded errors and stores nothing', async () => {
    const { store } = await fresh();
    expect(() => store.enqueue({ classId: '0', images: [syntheticImage('a.jpg')] })).toThrow(expect.objectContaining({ code: 'INVALID_CLASS_ID' }));
    expect(() => store.enqueue({ classId: '9223372036854775808', images: [syntheticImage('a.jpg')] })).toThrow(expect.objectContaining({ code: 'INVALID_CLASS_ID' }));
    expect(() => store.enqueue({ classId: '5', images: [] })).toThrow(expect.objectContaining({ code: 'NO_ACCEPTABLE_IMAGE' }));
    expect(() => store.enqueue({ classId: '5', images: [{ name: 'x', bytes: new Uint8Array(0) }] })).toThrow(expect.objectContaining({ code: 'IMAGE_EMPTY' }));
    expect(store.listJobs()).toEqual([]);
  });

  it('a confirmed sync keeps a receipt, deletes images and analysis, and keeps embeddings only for the retention window', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const { store } = await fresh(() => clock);
    const images = [syntheticImage('1.jpg'), syntheticImage('2.jpg')];
    const id = store.enqueue({ classId: '77', images, embeddings: [vector(3)] });
    await store.markSending(id, { before: { available: false, featureVectors: 0, enrolled: null }, reference: 'st-1', deadlineMs: 1000, now: clock });
    store.markSynced(id, { now: clock, serverJobId: 'srv-1', performedAction: 'NEW_TEMPLATE_CREATED' });
    expect(store.loadImages(id)).toEqual([]);
    // the rows go with the next batch, when the sync engine idles, or when the store closes
    expect(store.reclaimSynced()).toBe(1);
    expect(store.db.prepare('SELECT COUNT(*) FROM images WHERE job_id = ?').pluck().get(id)).toBe(0);
    expect(store.db.prepare('SELECT COUNT(*) FROM analysis WHERE job_id = ?').pluck().get(id)).toBe(0);
    const receipt = store.getReceipt(id)!;
    expect(receipt).toMatchObject({ classId: '77', serverJobId: 'srv-1', performedAction: 'NEW_TEMPLATE_CREATED', imageCount: 2, reference: 'st-1' });
    expect(receipt.imageSha256).toEqual(images.map((image) => createHash('sha256').update(image.bytes).digest('hex')));
    expect(store.galleryEmbeddings().map((entry) => [entry.jobId, entry.synced])).toEqual([[id, true]]);

    clock += 29 * DAY;
    expect(store.purge(clock)).toEqual({ embeddings: 0, jobs: 0 });
    clock += 2 * DAY;
    expect(store.galleryEmbeddings()).toEqual([]);
    expect(store.purge(clock)).toEqual({ embeddings: 1, jobs: 0 });
    expect(store.db.prepare('SELECT COUNT(*) FROM embeddings').pluck().get()).toBe(0);
    expect(store.getJob(id)?.state).toBe('synced');

    store.settings.set('embeddingRetentionDays', 0);
    const second = store.enqueue({ classId: '78', images: [syntheticImage('3.jpg')], embeddings: [vector(4)] });
    await store.markSending(second, { before: null, reference: 'st-2', deadlineMs: 1000, now: clock });
    store.markSynced(second, { now: clock, serverJobId: null, performedAction: 'TEMPLATE_UPDATED' });
    expect(store.db.prepare('SELECT COUNT(*) FROM embeddings WHERE job_id = ?').pluck().get(second)).toBe(0);
  });

  it('discarding unsynced work needs a reason, is audited and frees the source hash; in-flight jobs cannot be discarded', async () => {
    const { store } = await fresh();
    const image = { ...syntheticImage('a.jpg'), sourceSha256: 'c'.repeat(64) };
    const id = store.enqueue({ classId: '12', images: [image], embeddings: [vector(5)] });
    expect(() => store.discard(id, '')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    store.discard(id, 'subject withdrew consent');
    expect(store.getJob(id)).toMatchObject({ state: 'discarded' });
    expect(store.loadImages(id)).toEqual([]);
    expect(store.galleryEmbeddings()).toEqual([]);
    expect(store.hasSourceHash('c'.repeat(64))).toBe(false);
    expect(store.audit.recent(1)[0]).toMatchObject({ event: 'discarded', jobId: id, detail: { reason: 'subject withdrew consent', from: 'queued' } });
    expect(() => store.discard('no-such-job', 'because')).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));

    const flying = store.enqueue({ classId: '13', images: [syntheticImage('b.jpg')] });
    await store.markSending(flying, { before: null, reference: 'r', deadlineMs: 1000, now: Date.now() });
    expect(() => store.discard(flying, 'changed my mind')).toThrow(/may already have reached the service/);
  });

  it('a sending mark whose request never left is taken back: queued again, the attempt uncounted, the status before kept', async () => {
    const { store } = await fresh();
    const id = store.enqueue({ classId: '17', images: [syntheticImage('a.jpg')] });
    const before = { available: true, featureVectors: 3, enrolled: '2026-01-01T00:00:00.000Z' };
    await store.markSending(id, { before, reference: 'st-17-1', deadlineMs: 1000, now: 5_000 });
    expect(store.getJob(id)).toMatchObject({ state: 'sending', attempts: 1 });
    expect(store.unmarkSending(id, 6_000)).toBe(true);
    expect(store.getJob(id)).toMatchObject({ state: 'queued', attempts: 0, before, nextAttemptAt: null });
    expect(store.counts()).toMatchObject({ queued: 1, sending: 0 });
    // Only a job still in `sending`: one that was answered (or taken out) meanwhile stays as it is.
    expect(store.unmarkSending(id, 7_000)).toBe(false);
    await store.markSending(id, { before, reference: 'st-17-1', deadlineMs: 1000, now: 8_000 });
    store.markSynced(id, { now: 9_000, serverJobId: 'srv', performedAction: 'NEW_TEMPLATE_CREATED' });
    expect(store.unmarkSending(id, 10_000)).toBe(false);
    expect(store.getJob(id)).toMatchObject({ state: 'synced', attempts: 1 });
  });

  it('retry puts needs_attention jobs back and forgets their stale template status', async () => {
    const { store } = await fresh();
    const a = store.enqueue({ classId: '21', images: [syntheticImage('a.jpg')] });
    const b = store.enqueue({ classId: '22', images: [syntheticImage('b.jpg')] });
    await store.markSending(a, { before: { available: true, featureVectors: 2, enrolled: '2026-01-01T00:00:00.000Z' }, reference: 'r', deadlineMs: 1000, now: Date.now() });
    store.markNeedsAttention(a, Date.now(), { code: 'INVALID_ARGUMENT', message: 'bad' });
    expect(store.getJob(a)).toMatchObject({ state: 'needs_attention', lastError: { code: 'INVALID_ARGUMENT', message: 'bad' } });
    expect(store.retry('all')).toBe(1);
    expect(store.getJob(a)).toMatchObject({ state: 'queued', before: null });
    expect(() => store.retry(b)).toThrow(/only jobs that need attention/);
    // a later job of the class was sent while the first one was set aside and waits for a retry: the retried
    // job now goes first and will change the template, so the status recorded with that send must go too
    // (other classes keep theirs)
    const later = store.enqueue({ classId: '21', images: [syntheticImage('c.jpg')] });
    const snapshot = { available: true, featureVectors: 4, enrolled: '2026-01-02T00:00:00.000Z' };
    await store.markSending(a, { before: null, reference: 'r2', deadlineMs: 1000, now: Date.now() });
    store.markNeedsAttention(a, Date.now(), { code: 'INVALID_ARGUMENT', message: 'bad again' });
    for (const [id, reference] of [[later!, 'r3'], [b, 'r4']] as const) {
      await store.markSending(id, { before: snapshot, reference, deadlineMs: 1000, now: Date.now() });
      store.markRetryWait(id, Date.now(), Date.now() + 60_000, { code: 'UNAVAILABLE', message: 'down' });
    }
    expect(store.getJob(later)).toMatchObject({ before: snapshot });
    expect(store.retry(a)).toBe(1);
    expect(store.getJob(later)).toMatchObject({ state: 'retry_wait', before: null });
    expect(store.getJob(b)).toMatchObject({ before: snapshot });
    expect(() => store.retry('missing')).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));
  });

  it('unsynced retention (an administrator setting) purges old unsynced jobs with an audit entry; 0 never does', async () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const { store } = await fresh(() => clock);
    const old = store.enqueue({ classId: '31', images: [syntheticImage('a.jpg')] });
    clock += 10 * DAY;
    expect(store.purge(clock).jobs).toBe(0);
    store.settings.set('unsyncedRetentionDays', 7);
    const young = store.enqueue({ classId: '32', images: [syntheticImage('b.jpg')] });
    expect(store.purge(clock).jobs).toBe(1);
    expect(store.getJob(old)?.state).toBe('discarded');
    expect(store.getJob(young)?.state).toBe('queued');
    expect(store.audit.recent(5).some((entry) => entry.event === 'purged' && entry.jobId === old)).toBe(true);
  });

  it('the scheduler sees only the oldest unfinished job of each class, when due', async () => {
    let clock = 1_000_000;
    const { store } = await fresh(() => clock);
    const a1 = store.enqueue({ classId: '1', images: [syntheticImage('a.jpg')] });
    const a2 = store.enqueue({ classId: '1', images: [syntheticImage('b.jpg')] });
    const b1 = store.enqueue({ classId: '2', images: [syntheticImage('c.jpg')] });
    const c1 = store.enqueue({ classId: '3', images: [syntheticImage('d.jpg')] });
    expect(store.pickCandidates(clock, new Set(), 10).map((job) => job.id)).toEqual([a1, b1, c1]);
    expect(store.pickCandidates(clock, new Set(['2']), 10).map((job) => job.id)).toEqual([a1, c1]);
    expect(store.pickCandidates(clock, new Set(), 2).map((job) => job.id)).toEqual([a1, b1]);
    store.markRetryWait(a1, clock, clock + 5000, { code: 'UNAVAILABLE', message: 'down' });
    // a2 waits behind a1: order is kept per class
    expect(store.pickCandidates(clock, new Set(), 10).map((job) => job.id)).toEqual([b1, c1]);
    expect(store.nextDueAt()).toBe(clock + 5000);
    clock += 5000;
    expect(store.pickCandidates(clock, new Set(), 10).map((job) => job.id)).toEqual([a1, b1, c1]);
    // the pick walk alone (the scheduler reads whole records only for the jobs it acts on): same jobs, with
    // the class and state it needs to decide
    expect(store.pickCandidates(clock, new Set(['3']), 10)).toEqual([
      { id: a1, classId: '1', state: 'retry_wait' },
      { id: b1, classId: '2', state: 'queued' },
    ]);
    // a job that needs attention does not block the rest of its class
    store.markNeedsAttention(a1, clock, { code: 'INVALID_ARGUMENT', message: 'bad' });
    expect(store.pickCandidates(clock, new Set(), 10).map((job) => job.id)).toEqual([a2, b1, c1]);
  });

  it('the sending mark records the template status before the send, with the time it was read', async () => {
    const { store } = await fresh();
    const id = store.enqueue({ classId: '6', images: [syntheticImage('a.jpg')] });
    const snapshot = { available: true, featureVectors: 3, enrolled: '2026-02-01T00:00:00.000Z' };
    expect(await store.markSending(id, { before: snapshot, beforeAt: 1234, reference: 'r', deadlineMs: 1000, now: 2000 })).toBe(true);
    expect(store.getJob(id)).toMatchObject({ before: snapshot, beforeAt: 1234, sentAt: 2000, state: 'sending' });
    // a job already on its way is not marked again
    expect(await store.markSending(id, { before: null, reference: 'r2', deadlineMs: 1000, now: 3000 })).toBe(false);
  });

  it('after a crash, jobs caught mid-send are marked ambiguous (to be reconciled), never queued', async () => {
    const { store } = await fresh();
    const id = store.enqueue({ classId: '5', images: [syntheticImage('a.jpg')] });
    await store.markSending(id, { before: { available: false, featureVectors: 0, enrolled: null }, reference: 'r', deadlineMs: 1000, now: Date.now() });
    expect(store.recoverInterrupted()).toBe(1);
    expect(store.getJob(id)).toMatchObject({ state: 'ambiguous', attempts: 1, before: { available: false, featureVectors: 0 } });
  });
});

describe('audit log', () => {
  it('chains every entry; editing one row makes verification fail at exactly that row', async () => {
    const { store } = await fresh();
    for (let i = 0; i < 5; i += 1) store.enqueue({ classId: String(100 + i), images: [syntheticImage(`${i}.jpg`)] });
    const jobs = store.listJobs();
    store.discard(jobs[0]!.id, 'duplicate capture');
    expect(store.verifyAuditChain()).toEqual({ ok: true, rows: 6 });

    expect(() => store.db.prepare("UPDATE audit SET detail = '{}' WHERE seq = 3").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit WHERE seq = 3').run()).toThrow(/append-only/);

    // Someone holding the key goes around the triggers and edits row 3.
    store.db.exec('DROP TRIGGER audit_no_update');
    store.db.prepare(`UPDATE audit SET detail = '{"classId":"999","images":1}' WHERE seq = 3`).run();
    expect(store.verifyAuditChain()).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/changed/) });
  });

  it('a row edited with its own hash recomputed is caught by the next row\'s link', async () => {
    const { store } = await fresh();
    for (let i = 0; i < 5; i += 1) store.enqueue({ classId: String(400 + i), images: [syntheticImage(`${i}.jpg`)] });
    store.db.exec('DROP TRIGGER audit_no_update');
    const row = store.db.prepare('SELECT * FROM audit WHERE seq = 3').get() as { seq: number; at: string; event: string; job_id: string | null; prev_hash: string };
    const detail = '{"classId":"999","images":1}';
    const hash = auditRowHash(row.seq, row.prev_hash, row.at, row.event, row.job_id, detail);
    store.db.prepare('UPDATE audit SET detail = ?, hash = ? WHERE seq = 3').run(detail, hash);
    // Row 3 is consistent with itself now; row 4 still points at the hash row 3 had.
    expect(store.verifyAuditChain()).toEqual({ ok: false, rows: 4, firstBadSeq: 4, reason: 'its link to the previous row does not match' });
  });

  it('re-linking the next row to an edited row is caught too: the link is part of that row\'s hash', async () => {
    const { store } = await fresh();
    for (let i = 0; i < 5; i += 1) store.enqueue({ classId: String(500 + i), images: [syntheticImage(`${i}.jpg`)] });
    store.db.exec('DROP TRIGGER audit_no_update');
    const row = store.db.prepare('SELECT * FROM audit WHERE seq = 3').get() as { seq: number; at: string; event: string; job_id: string | null; prev_hash: string };
    const detail = '{"classId":"999","images":1}';
    const hash = auditRowHash(row.seq, row.prev_hash, row.at, row.event, row.job_id, detail);
    store.db.prepare('UPDATE audit SET detail = ?, hash = ? WHERE seq = 3').run(detail, hash);
    store.db.prepare('UPDATE audit SET prev_hash = ? WHERE seq = 4').run(hash);
    expect(store.verifyAuditChain()).toEqual({ ok: false, rows: 4, firstBadSeq: 4, reason: 'its content was changed after it was written' });
  });

  it('notices rows removed from the middle and from the end', async () => {
    const { store } = await fresh();
    for (let i = 0; i < 5; i += 1) store.enqueue({ classId: String(200 + i), images: [syntheticImage(`${i}.jpg`)] });
    store.db.exec('DROP TRIGGER audit_no_delete');
    store.db.prepare('DELETE FROM audit WHERE seq = 3').run();
    expect(store.verifyAuditChain()).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/missing/) });
    const { store: other } = await fresh();
    for (let i = 0; i < 4; i += 1) other.enqueue({ classId: String(300 + i), images: [syntheticImage(`${i}.jpg`)] });
    other.db.exec('DROP TRIGGER audit_no_delete');
    other.db.prepare('DELETE FROM audit WHERE seq = 4').run();
    expect(other.verifyAuditChain()).toMatchObject({ ok: false, firstBadSeq: 4, reason: expect.stringMatching(/end of the log/) });
  });
});
