import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataPaths } from '../../src/engine/paths.js';
import { face, tempDir } from '../helpers/paths.js';
import { startStation, station, testDbKey } from './helpers.js';

/** Behaviour the README promises that a demanding user checks: exit codes, usage errors before work, secrets. */
describe('station: README promises (review findings)', () => {
  it('import exits 3 when some images were rejected, even if every class was queued', async () => {
    const root = tempDir('station-rv-import-');
    const dataDir = path.join(root, 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    fs.mkdirSync(path.join(root, 'batch', '2001'), { recursive: true });
    fs.copyFileSync(face('rose_leslie1.jpg'), path.join(root, 'batch', '2001', 'rose.jpg'));
    fs.copyFileSync(face('two_people.jpg'), path.join(root, 'batch', '2001', 'group.jpg'));
    const run = await station(['--data-dir', dataDir, '--json', 'import', path.join(root, 'batch')], env);
    const summary = JSON.parse(run.stdout);
    expect(summary.classes[0].result).toBe('queued');
    expect(summary.classes[0].rejected.map((file: { file: string }) => file.file)).toEqual(['group.jpg']);
    expect(run.code, run.stderr).toBe(3);
  });

  it('config set key refuses empty input instead of silently clearing the stored key', async () => {
    const dataDir = path.join(tempDir('station-rv-key-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    const secret = Buffer.alloc(64, 9).toString('base64');
    expect((await station(['--data-dir', dataDir, 'config', 'set', 'key'], env, `${secret}\n`)).code).toBe(0);
    const empty = await station(['--data-dir', dataDir, '--json', 'config', 'set', 'key'], env, '');
    expect(empty.code).toBe(2);
    expect(JSON.parse(empty.stdout).error.message).toMatch(/empty/i);
    const keyFile = path.join(path.dirname(dataDir), 'empty.key');
    fs.writeFileSync(keyFile, '\n');
    expect((await station(['--data-dir', dataDir, 'config', 'set', 'key', '--key-file', keyFile], env)).code).toBe(2);
    const shown = await station(['--data-dir', dataDir, '--json', 'config', 'get', 'key'], env);
    expect(JSON.parse(shown.stdout).settings[0].value).toBe('(set)');
  });

  it('config set endpoint refuses a value that is not an endpoint, before storing it', async () => {
    const dataDir = path.join(tempDir('station-rv-endpoint-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    for (const bad of ['ftp://face.example.com', 'https://face.example.com/path', 'face.example.com']) {
      const run = await station(['--data-dir', dataDir, '--json', 'config', 'set', 'endpoint', bad], env);
      expect(run.code, bad).toBe(2);
      expect(JSON.parse(run.stdout).error.message).toMatch(/endpoint/i);
    }
    expect(fs.existsSync(dataDir)).toBe(false);
    expect((await station(['--data-dir', dataDir, 'config', 'set', 'endpoint', 'https://face.bws-eu.bioid.com'], env)).code).toBe(0);
  });

  it('bws admin commands check the class id (and the image files) before any connection or local service', async () => {
    const dataDir = path.join(tempDir('station-rv-bws-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    // No endpoint configured: the bad class id is still the error reported, as a usage error.
    const remote = await station(['--data-dir', dataDir, '--json', 'bws', 'status', '--class-id', '12a'], env);
    expect(remote.code).toBe(2);
    expect(JSON.parse(remote.stdout).error.code).toBe('INVALID_CLASS_ID');
    for (const args of [['status', '--local', '--class-id', '0'], ['delete', '--local', '--class-id', '-5'], ['enroll', '--local', '--class-id', '1e3', face('obama.jpg')]]) {
      const run = await station(['--data-dir', dataDir, '--json', 'bws', ...args], env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(JSON.parse(run.stdout).error.code).toBe('INVALID_CLASS_ID');
    }
    const missing = await station(['--data-dir', dataDir, '--json', 'bws', 'enroll', '--local', '--class-id', '5', path.join(dataDir, 'nope.jpg')], env);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('IMAGE_NOT_FOUND');
    // Nothing was started or created for any of these.
    expect(fs.existsSync(dataPaths(dataDir).localBwsDir)).toBe(false);
  });

  it('with --json, usage errors found by the option parser are a JSON error document too', async () => {
    for (const args of [['--json', 'enroll', 'photo.jpg'], ['--json', 'frobnicate'], ['queue', '--bogus', '--json']]) {
      const run = await station(args, {});
      expect(run.code, args.join(' ')).toBe(2);
      expect(JSON.parse(run.stdout), args.join(' ')).toMatchObject({ error: { code: 'USAGE' } });
    }
  });

  it('numeric options are checked strictly: --limit 2x and --wait-lock abc are usage errors', async () => {
    const dataDir = path.join(tempDir('station-rv-opts-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    const limit = await station(['--data-dir', dataDir, '--json', 'queue', '--limit', '2x'], env);
    expect(limit.code).toBe(2);
    expect(JSON.parse(limit.stdout).error.code).toBe('USAGE');
    const wait = await station(['--data-dir', dataDir, '--json', 'sync', '--local', '--wait-lock', 'abc'], env);
    expect(wait.code).toBe(2);
    expect(JSON.parse(wait.stdout).error.message).toMatch(/--wait-lock/);
  });

  it('sync --watch stops cleanly on a Ctrl-C that arrives while it is still connecting', async () => {
    const dataDir = path.join(tempDir('station-rv-watch-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    expect((await station(['--data-dir', dataDir, 'enroll', '--class-id', '31', face('biden.jpg')], env)).code).toBe(0);
    // A documentation address (TEST-NET-1, RFC 5737) that never answers: the first readiness check takes its
    // whole deadline, so the signal lands while the watcher is still starting.
    const watcher = startStation(['--data-dir', dataDir, 'sync', '--watch'], { ...env, BWS_ENDPOINT: 'http://192.0.2.1:443', BWS_CLIENT_ID: 'review', BWS_KEY: Buffer.alloc(64, 1).toString('base64'), BWS_INSECURE: '1' });
    expect(await watcher.waitForStderr(/waiting 1/, 30_000), watcher.stderr).toBe(true);
    watcher.child.kill('SIGINT');
    const { code, signal } = await watcher.exited;
    expect(signal, watcher.stderr).toBeNull();
    expect(code, watcher.stderr).toBe(3); // stopped with the job still waiting
    expect(watcher.stderr).toMatch(/stopping/);
    expect(watcher.stdout).toMatch(/Synced 0 job\(s\) now, 0 in all; 1 waiting/);
  });
});

describe('Station facade (what the app calls over IPC)', () => {
  const open = async (visionFactory?: () => Promise<never>) => {
    const { Station } = await import('../../src/engine/station.js');
    const { StaticKeyProvider } = await import('../../src/engine/store/keys.js');
    const { randomBytes } = await import('node:crypto');
    const dataDir = path.join(tempDir('station-rv-facade-'), 'data');
    return Station.open({ dataDir, keyProvider: new StaticKeyProvider(randomBytes(32), 'test key'), env: {}, ...(visionFactory ? { visionFactory } : {}) });
  };

  it('setSetting refuses an endpoint that can never work, and keeps the old value', async () => {
    const station = await open();
    try {
      await station.setSetting('endpoint', 'https://face.bws-eu.bioid.com');
      await expect(station.setSetting('endpoint', 'ftp://face.bws-eu.bioid.com')).rejects.toMatchObject({ code: 'ENDPOINT_INVALID' });
      const endpoint = (await station.getSettings()).find((setting) => setting.name === 'endpoint');
      expect(endpoint?.value).toBe('https://face.bws-eu.bioid.com');
    } finally {
      await station.close();
    }
  });

  it('close() still closes the queue when the vision engine failed to start', async () => {
    const { StationError } = await import('../../src/shared/errors.js');
    const station = await open(() => Promise.reject(new StationError('MODEL_MISSING', 'no models here')));
    await expect(station.enrollImages('5', [{ name: 'a.jpg', bytes: fs.readFileSync(face('obama.jpg')) }])).rejects.toMatchObject({ code: 'MODEL_MISSING' });
    await station.close();
    expect(station.store.db.open).toBe(false);
  });
});
