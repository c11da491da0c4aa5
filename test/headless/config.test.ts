import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePinRecord, pinMatches } from '../../src/engine/store/admin-pin.js';
import { tempDir } from '../helpers/paths.js';
import { station, testDbKey } from './helpers.js';

describe('station config', () => {
  it('stores settings encrypted; the BWS key comes from stdin and is never printed', async () => {
    const dataDir = path.join(tempDir('station-config-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    const secret = Buffer.alloc(64, 7).toString('base64');

    expect((await station(['--data-dir', dataDir, 'config', 'set', 'endpoint', 'https://face.bws-eu.bioid.com:443'], env)).code).toBe(0);
    expect((await station(['--data-dir', dataDir, 'config', 'set', 'client-id', 'station-test'], env)).code).toBe(0);
    const setKey = await station(['--data-dir', dataDir, 'config', 'set', 'key'], env, `${secret}\n`);
    expect(setKey.code, setKey.stderr).toBe(0);
    expect(setKey.stdout + setKey.stderr).not.toContain(secret);
    expect((await station(['--data-dir', dataDir, 'config', 'set', 'threshold', '0.45'], env)).code).toBe(0);

    const shown = await station(['--data-dir', dataDir, '--json', 'config', 'get'], env);
    expect(shown.stdout).not.toContain(secret);
    const settings = Object.fromEntries(JSON.parse(shown.stdout).settings.map((entry: { name: string; value: unknown }) => [entry.name, entry.value]));
    expect(settings).toMatchObject({ endpoint: 'https://face.bws-eu.bioid.com:443', 'client-id': 'station-test', key: '(set)', 'match-threshold': 0.45 });

    // Nothing readable on disk: the settings live in the encrypted queue database.
    for (const file of fs.readdirSync(dataDir)) {
      const bytes = fs.readFileSync(path.join(dataDir, file));
      expect(bytes.includes('station-test'), file).toBe(false);
      expect(bytes.includes(secret), file).toBe(false);
    }

    const literal = await station(['--data-dir', dataDir, 'config', 'set', 'key', secret], env);
    expect(literal.stderr).toMatch(/visible to other local users/);

    const bad = await station(['--data-dir', dataDir, 'config', 'set', 'match-threshold', 'high'], env);
    expect(bad.code).toBe(2);
    const unknown = await station(['--data-dir', dataDir, 'config', 'set', 'colour', 'blue'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown setting "colour"/);
  });

  it('refuses to open a folder with the wrong key, and changes nothing', async () => {
    const dataDir = path.join(tempDir('station-config-key-'), 'data');
    expect((await station(['--data-dir', dataDir, 'config', 'set', 'client-id', 'a'], { STATION_DB_KEY: testDbKey() })).code).toBe(0);
    const before = fs.readFileSync(path.join(dataDir, 'queue.db'));
    const wrong = await station(['--data-dir', dataDir, '--json', 'config', 'get'], { STATION_DB_KEY: testDbKey() });
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).error.code).toBe('KEY_WRONG');
    expect(fs.readFileSync(path.join(dataDir, 'queue.db')).equals(before)).toBe(true);
  });
});

describe('station config on a new folder', () => {
  it('pin-hash prints a site file line for a PIN read from stdin, never the PIN; a bad PIN is a usage error', async () => {
    const made = await station(['config', 'pin-hash'], {}, '246810\n');
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout + made.stderr).not.toContain('246810');
    const record = parsePinRecord(made.stdout.trim());
    expect(record).not.toBeNull();
    expect(await pinMatches('246810', record!)).toBe(true);
    expect(await pinMatches('246811', record!)).toBe(false);
    const bad = await station(['config', 'pin-hash'], {}, '12\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('4 to 12 digits');
  });

  it('shows the defaults without creating the folder or a key', async () => {
    const dataDir = path.join(tempDir('station-config-new-'), 'data');
    const run = await station(['--data-dir', dataDir, '--json', 'config', 'get'], {});
    expect(run.code, run.stderr).toBe(0);
    const settings = Object.fromEntries(JSON.parse(run.stdout).settings.map((entry: { name: string; value: unknown }) => [entry.name, entry.value]));
    expect(settings).toMatchObject({ endpoint: '', key: '(not set)', 'quality-profile': 'enrollment', 'sync-concurrency': 2 });
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
