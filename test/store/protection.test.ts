import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../src/engine/paths.js';
import { openEncryptedDatabase } from '../../src/engine/store/database.js';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { QUEUE_MIGRATIONS } from '../../src/engine/store/migrations/index.js';
import { QueueStore } from '../../src/engine/store/queue-store.js';
import { tempDir } from '../helpers/paths.js';
import { buildEngineForChildren, newKey, openStore, syntheticImage } from './helpers.js';

const open: QueueStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

const fileHash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function realImages(): Promise<{ jpeg: Buffer; png: Buffer }> {
  const raw = Buffer.alloc(64 * 48 * 3);
  for (let i = 0; i < raw.length; i += 1) raw[i] = (i * 37) % 251;
  const base = sharp(raw, { raw: { width: 64, height: 48, channels: 3 } });
  return { jpeg: await base.clone().jpeg({ quality: 90 }).toBuffer(), png: await base.clone().png().toBuffer() };
}

describe('encryption at rest', () => {
  it('the database file and its WAL hold no class id, marker, JPEG or PNG bytes in plaintext', async () => {
    const dir = tempDir('station-plain-');
    const key = newKey();
    const store = await openStore(dir, key);
    open.push(store);
    const { jpeg, png } = await realImages();
    const classId = '8765432109876543';
    const marker = 'PLAINTEXT-MARKER-ZX81-QUOKKA';
    store.settings.set('clientId', marker);
    store.enqueue({ classId, images: [{ name: `${marker}.jpg`, bytes: jpeg, analysis: { marker } }, { name: 'b.png', bytes: png }], note: marker });
    const paths = dataPaths(dir);
    const needles: Array<[string, Buffer]> = [
      ['class id', Buffer.from(classId)],
      ['marker', Buffer.from(marker)],
      ['marker (UTF-16)', Buffer.from(marker, 'utf16le')],
      ['JPEG header', jpeg.subarray(0, 12)],
      ['PNG header', png.subarray(0, 16)],
      ['JPEG body', jpeg.subarray(200, 232)],
      ['table name', Buffer.from('CREATE TABLE')],
    ];
    const scan = () => {
      const files = [paths.queueDb, `${paths.queueDb}-wal`].filter((file) => fs.existsSync(file));
      const text = Buffer.concat(files.map((file) => fs.readFileSync(file)));
      expect(text.length).toBeGreaterThan(4096);
      for (const [what, needle] of needles) expect(text.indexOf(needle), `${what} found in plaintext`).toBe(-1);
      return files;
    };
    // While open (data in the WAL) and after a checkpoint and close (data in the main file).
    expect(scan()).toContain(`${paths.queueDb}-wal`);
    store.close();
    scan();
    expect(fs.statSync(paths.queueDb).mode & 0o777).toBe(0o600);
  });
});

describe('keys and damage: clear errors, nothing lost', () => {
  async function populated() {
    const dir = tempDir('station-keys-');
    const key = newKey();
    const store = await openStore(dir, key);
    const ids = [1, 2, 3].map((n) => store.enqueue({ classId: String(n), images: [syntheticImage(`${n}.jpg`, 50_000)] }));
    store.close();
    return { dir, key, ids, file: dataPaths(dir).queueDb };
  }

  it('a wrong key is refused without touching the file, and the right key still opens every job', async () => {
    const { dir, key, ids, file } = await populated();
    const before = fileHash(file);
    await expect(openStore(dir, newKey())).rejects.toMatchObject({ code: 'KEY_WRONG', message: expect.stringMatching(/Nothing was changed/) });
    // Without the folder's key check value, SQLCipher itself refuses the key.
    expect(() => openEncryptedDatabase({ file, key: Buffer.alloc(32, 7), create: false, migrations: QUEUE_MIGRATIONS })).toThrow(expect.objectContaining({ code: 'KEY_WRONG' }));
    expect(fileHash(file)).toBe(before);
    const store = await openStore(dir, key);
    open.push(store);
    expect(store.listJobs().map((job) => job.id).sort()).toEqual([...ids].sort());
    expect(store.loadImages(ids[0]!)[0]!.length).toBe(50_000);
  });

  it('a missing key (env unset, key file gone) says what to restore and changes nothing', async () => {
    const { dir, file } = await populated();
    const before = fileHash(file);
    await expect(QueueStore.open({ dataDir: dir, keyProvider: new HeadlessKeyProvider({}), create: true })).rejects.toMatchObject({ code: 'KEY_MISSING', message: expect.stringMatching(/STATION_DB_KEY/) });
    expect(fileHash(file)).toBe(before);

    const other = tempDir('station-keyfile-');
    const store = await QueueStore.open({ dataDir: other, keyProvider: new HeadlessKeyProvider({}), create: true });
    const id = store.enqueue({ classId: '9', images: [syntheticImage('a.jpg')] });
    store.close();
    const keyFile = dataPaths(other).keyFile;
    const keyText = fs.readFileSync(keyFile, 'utf8');
    fs.renameSync(keyFile, `${keyFile}.moved`);
    await expect(QueueStore.open({ dataDir: other, keyProvider: new HeadlessKeyProvider({}), create: true })).rejects.toMatchObject({ code: 'KEY_MISSING', message: expect.stringMatching(/key file .* is missing/) });
    expect(fs.existsSync(keyFile)).toBe(false);
    fs.writeFileSync(keyFile, keyText, { mode: 0o600 });
    const reopened = await QueueStore.open({ dataDir: other, keyProvider: new HeadlessKeyProvider({}), create: true });
    open.push(reopened);
    expect(reopened.getJob(id)?.state).toBe('queued');
  });

  it('a damaged file is reported, copied to quarantine and left in place, never replaced', async () => {
    const { dir, key, file } = await populated();
    const damaged = fs.readFileSync(file);
    expect(damaged.length).toBeGreaterThan(8 * 4096);
    damaged.fill(0x5a, 4096 * 3 + 100, 4096 * 3 + 600);
    fs.writeFileSync(file, damaged);
    const before = fileHash(file);
    await expect(openStore(dir, key)).rejects.toMatchObject({ code: 'DB_CORRUPT', message: expect.stringMatching(/damaged.*not replaced/) });
    expect(fileHash(file)).toBe(before);
    const quarantined = fs.readdirSync(dataPaths(dir).quarantineDir);
    expect(quarantined.length).toBeGreaterThanOrEqual(1);
    expect(fileHash(path.join(dataPaths(dir).quarantineDir, quarantined[0]!))).toBe(before);
  });
});

describe('disk full', () => {
  let buildDir: string;
  beforeAll(() => {
    buildDir = buildEngineForChildren();
  });

  it('a writer that hits the file size limit gets DISK_FULL; every job it had committed is intact', () => {
    try {
      execFileSync('bash', ['-c', 'ulimit -f 100'], { stdio: 'pipe' });
    } catch {
      return expect.fail('bash with ulimit is needed for this test');
    }
    const dir = tempDir('station-full-');
    const key = newKey();
    const runner = path.join(import.meta.dirname, 'fixtures', 'fill-disk.mjs');
    // 3 MB limit on files this process writes; SIGXFSZ ignored so the write fails with EFBIG instead of killing it.
    const child = spawnSync('bash', ['-c', `ulimit -f 3072; trap '' XFSZ; exec "${process.execPath}" "$@"`, 'bash', runner, buildDir, dir], {
      env: { ...process.env, STATION_DB_KEY: key },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = child.stdout.trim().split('\n');
    const committed = lines.filter((line) => line.startsWith('ok ')).map((line) => line.slice(3));
    const failure = lines.find((line) => line.startsWith('error '));
    expect(child.status, child.stderr).toBe(3);
    expect(failure).toMatch(/^error DISK_FULL The disk is full/);
    expect(committed.length).toBeGreaterThan(10);

    return openStore(dir, key).then((store) => {
      open.push(store);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const jobs = new Set(store.listJobs({ limit: 10_000 }).map((job) => job.id));
      for (const id of committed) expect(jobs.has(id)).toBe(true);
      for (const id of committed.slice(-3)) expect(store.loadImages(id)[0]!.length).toBe(40_000);
      expect(store.verifyAuditChain()).toMatchObject({ ok: true });
      // and the queue works again once there is room
      expect(store.enqueue({ classId: '5', images: [syntheticImage('after.jpg')] })).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
