import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataPaths } from '../../src/engine/paths.js';
import { readFolderInfo } from '../../src/engine/store/folder-info.js';
import { HeadlessKeyProvider, keyMatches } from '../../src/engine/store/keys.js';
import { QueueStore } from '../../src/engine/store/queue-store.js';
import { testDbKey, station } from '../headless/helpers.js';
import { tempDir } from '../helpers/paths.js';
import { newKey, openStore, syntheticImage } from './helpers.js';

const open: QueueStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

/** Every file in the folder (recursively) with its content hash: "nothing was written" compares two of these. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

async function folderWithJob(): Promise<{ dir: string; key: string; jobId: string }> {
  const dir = tempDir('station-facts-');
  const key = newKey();
  const store = await openStore(dir, key);
  const jobId = store.enqueue({ classId: '77', images: [syntheticImage('a.jpg')] });
  store.close();
  return { dir, key, jobId };
}

describe('station.json missing next to an existing queue', () => {
  it('a wrong key writes nothing (no new station.json, no quarantine copy) and says station.json is missing', async () => {
    const { dir, key, jobId } = await folderWithJob();
    fs.rmSync(dataPaths(dir).folderInfo);
    const before = snapshot(dir);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(openStore(dir, newKey())).rejects.toMatchObject({ code: 'KEY_WRONG', message: expect.stringMatching(/station\.json is missing next to the existing queue .*does not open that queue\. Nothing was written/) });
    }
    expect(snapshot(dir)).toEqual(before);

    // The right key opens it, and only then are the facts written again (with that key's check value).
    const store = await openStore(dir, key);
    open.push(store);
    expect(store.getJob(jobId)?.state).toBe('queued');
    const info = readFolderInfo(dir);
    expect(info?.keySource).toBe('env');
    expect(keyMatches(info!, Buffer.from(key, 'base64'))).toBe(true);
  });

  it('a key-file folder opens with its key file; without any key it is FOLDER_INFO_MISSING and nothing is written', async () => {
    const dir = tempDir('station-facts-kf-');
    const first = await QueueStore.open({ dataDir: dir, keyProvider: new HeadlessKeyProvider({}), create: true });
    const jobId = first.enqueue({ classId: '5', images: [syntheticImage('a.jpg')] });
    first.close();
    fs.rmSync(dataPaths(dir).folderInfo);
    const keyText = fs.readFileSync(dataPaths(dir).keyFile, 'utf8');
    fs.rmSync(dataPaths(dir).keyFile);
    const before = snapshot(dir);
    await expect(QueueStore.open({ dataDir: dir, keyProvider: new HeadlessKeyProvider({}), create: true })).rejects.toMatchObject({ code: 'FOLDER_INFO_MISSING' });
    expect(snapshot(dir)).toEqual(before);
    fs.writeFileSync(dataPaths(dir).keyFile, keyText, { mode: 0o600 });
    const store = await QueueStore.open({ dataDir: dir, keyProvider: new HeadlessKeyProvider({}), create: true });
    open.push(store);
    expect(store.getJob(jobId)?.state).toBe('queued');
    expect(readFolderInfo(dir)?.keySource).toBe('keyfile');
  });
});

describe('queue.db deleted while station.json remains', () => {
  it('refuses to start empty (QUEUE_MISSING) until --new-queue, which is audited', async () => {
    const { dir, key } = await folderWithJob();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${dataPaths(dir).queueDb}${suffix}`, { force: true });
    await expect(openStore(dir, key)).rejects.toMatchObject({ code: 'QUEUE_MISSING', message: expect.stringMatching(/is missing, although this data folder has had a queue since .*--new-queue/) });
    await expect(openStore(dir, key, { create: false })).rejects.toMatchObject({ code: 'QUEUE_MISSING' });
    expect(fs.existsSync(dataPaths(dir).queueDb)).toBe(false);

    // The command line says so too, for writing and for read-only commands (which used to show an empty queue).
    for (const args of [['queue'], ['sync', '--local'], ['config', 'set', 'match-threshold', '0.5']]) {
      const run = await station(['--data-dir', dir, '--json', ...args], { STATION_DB_KEY: key });
      expect(run.code, args.join(' ')).toBe(1);
      expect(JSON.parse(run.stdout).error.code, args.join(' ')).toBe('QUEUE_MISSING');
    }
    expect(fs.existsSync(dataPaths(dir).queueDb)).toBe(false);

    const store = await QueueStore.open({ dataDir: dir, keyProvider: new HeadlessKeyProvider({ envKey: key }), create: true, newQueue: true });
    open.push(store);
    expect(store.listJobs()).toEqual([]);
    expect(store.audit.recent().map((entry) => entry.event)).toContain('queue_recreated');
  });

  it('a new folder, or one where only the local service ran, still starts its first queue without --new-queue', async () => {
    const dir = tempDir('station-facts-new-');
    const run = await station(['--data-dir', dir, '--json', 'queue'], { STATION_DB_KEY: testDbKey() });
    expect(run.code).toBe(0);
    const key = newKey();
    await new HeadlessKeyProvider({ envKey: key }).obtainKey(dir); // what `bws serve` does: facts, no queue
    const store = await openStore(dir, key);
    open.push(store);
    expect(readFolderInfo(dir)?.queueCreatedAt).toMatch(/^\d{4}-/);
  });
});

describe('quarantine', () => {
  it('opening the same damaged database 4 times keeps one copy, and every report says where it is', async () => {
    const { dir, key } = await folderWithJob();
    const file = dataPaths(dir).queueDb;
    const damaged = fs.readFileSync(file);
    damaged.fill(0x5a, 4096 * 2 + 100, 4096 * 2 + 600);
    fs.writeFileSync(file, damaged);
    const messages: string[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const error = await openStore(dir, key).then(() => null, (caught: Error & { code: string }) => caught);
      expect(error?.code).toBe('DB_CORRUPT');
      messages.push(error!.message);
    }
    const copies = fs.readdirSync(dataPaths(dir).quarantineDir).filter((name) => !name.endsWith('-wal'));
    expect(copies).toHaveLength(1);
    const kept = path.join(dataPaths(dir).quarantineDir, copies[0]!);
    expect(fs.readFileSync(kept).equals(damaged)).toBe(true);
    expect(messages[0]).toContain(`A copy was kept at ${kept}.`);
    for (const message of messages.slice(1)) expect(message).toContain(`A copy of it is already kept at ${kept}.`);

    // A different damage is a different file: it gets its own copy.
    damaged.fill(0x33, 4096 * 3, 4096 * 3 + 50);
    fs.writeFileSync(file, damaged);
    await expect(openStore(dir, key)).rejects.toMatchObject({ code: 'DB_CORRUPT' });
    expect(fs.readdirSync(dataPaths(dir).quarantineDir).filter((name) => !name.endsWith('-wal'))).toHaveLength(2);
  });
});
