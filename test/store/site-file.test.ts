import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveBwsConfig } from '../../src/engine/bws/config.js';
import { runDoctor } from '../../src/engine/doctor.js';
import { createStation } from '../../src/engine/station.js';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { formatPinRecord, hashPin } from '../../src/engine/store/admin-pin.js';
import { SettingsStore } from '../../src/engine/store/settings.js';
import { defaultSiteFilePath, loadSiteConfig } from '../../src/engine/store/site-file.js';
import { tempDir } from '../helpers/paths.js';
import { newKey, openStore } from './helpers.js';

const work = tempDir('station-site-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const BWS_KEY = 'c2l0ZS1rZXktdGhhdC1tdXN0LW5ldmVyLWJlLXByaW50ZWQ=';
let counter = 0;

/** Writes a site file (object or raw text) and returns the env that points the station at it. */
function site(content: unknown): { file: string; env: NodeJS.ProcessEnv } {
  const file = path.join(work, `site-${++counter}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return { file, env: { STATION_SITE_FILE: file } };
}

const keyFile = path.join(work, 'bws.key');
fs.writeFileSync(keyFile, `${BWS_KEY}\n`, { mode: 0o600 });

describe('site file locations', () => {
  it('is machine-wide on each OS, and STATION_SITE_FILE overrides it', () => {
    expect(defaultSiteFilePath({}, 'linux')).toBe('/etc/enrollment-station/site.json');
    expect(defaultSiteFilePath({ ProgramData: 'D:\\ProgramData' }, 'win32')).toBe('D:\\ProgramData\\Enrollment Station\\site.json');
    expect(defaultSiteFilePath({}, 'darwin')).toBe('/Library/Application Support/Enrollment Station/site.json');
  });

  it('no file at the OS location is no site file; an explicitly named file that is missing is an error', () => {
    expect(() => loadSiteConfig({ STATION_SITE_FILE: path.join(work, 'missing.json') })).toThrow(expect.objectContaining({ code: 'SITE_FILE_UNREADABLE', message: expect.stringContaining('missing.json') }));
  });
});

describe('precedence and locking', () => {
  it('an unlocked site value is the default a station may change; a locked one wins and cannot be changed', async () => {
    const { env } = site({ endpoint: 'https://face.bws-eu.bioid.com', clientId: 'site-client', qualityProfile: 'icao', keyFile, locked: ['endpoint', 'keyFile'] });
    const dir = tempDir('station-site-store-');
    const store = await openStore(dir, newKey());
    const settings = new SettingsStore(store.db, loadSiteConfig(env));
    try {
      expect(settings.get('endpoint')).toBe('https://face.bws-eu.bioid.com');
      expect(settings.source('endpoint')).toBe('site-locked');
      expect(settings.get('clientId')).toBe('site-client');
      expect(settings.source('clientId')).toBe('site');
      expect(settings.source('matchThreshold')).toBe('default');

      settings.set('clientId', 'station-client');
      settings.set('qualityProfile', 'enrollment');
      expect(settings.get('clientId')).toBe('station-client');
      expect(settings.source('clientId')).toBe('settings');
      expect(() => settings.set('endpoint', 'https://elsewhere.example:443')).toThrow(expect.objectContaining({ code: 'SITE_LOCKED', message: expect.stringContaining('locked by the administrator') }));
      // The key file is locked, so a key cannot be stored either.
      expect(() => settings.set('key', 'b3RoZXI=')).toThrow(expect.objectContaining({ code: 'SITE_LOCKED' }));
      // A value stored before the lock does not beat it.
      store.db.prepare("INSERT INTO settings (name, value, updated_at) VALUES ('endpoint', '\"https://old.example:443\"', 'x')").run();
      expect(settings.get('endpoint')).toBe('https://face.bws-eu.bioid.com');

      const described = Object.fromEntries(settings.describe().map((entry) => [entry.name, entry]));
      expect(described.endpoint).toMatchObject({ locked: true, source: 'site-locked' });
      expect(described.clientId).toMatchObject({ locked: false, source: 'settings', value: 'station-client' });
      expect(described.key).toMatchObject({ locked: true, source: 'site-locked', value: '(set)', isSet: true });
      expect(JSON.stringify(described)).not.toContain(BWS_KEY);
    } finally {
      store.close();
    }
  });

  it('BWS connection: a locked site value beats the environment, an unlocked one yields to it; the key comes from the key file', () => {
    const locked = new SettingsStore(null, loadSiteConfig(site({ endpoint: 'https://face.bws-eu.bioid.com', clientId: 'site-client', keyFile, locked: true }).env));
    const env = { BWS_ENDPOINT: 'https://face.bws-us.bioid.com', BWS_CLIENT_ID: 'env-client', BWS_KEY: 'ZW52' };
    expect(resolveBwsConfig({ settings: locked, env })).toMatchObject({ endpoint: 'https://face.bws-eu.bioid.com', clientId: 'site-client', key: BWS_KEY, sources: { endpoint: 'site', clientId: 'site', key: 'site' } });
    const unlocked = new SettingsStore(null, loadSiteConfig(site({ endpoint: 'https://face.bws-eu.bioid.com', keyFile }).env));
    expect(resolveBwsConfig({ settings: unlocked, env })).toMatchObject({ endpoint: 'https://face.bws-us.bioid.com', key: 'ZW52', sources: { endpoint: 'env', key: 'env' } });
    expect(resolveBwsConfig({ settings: unlocked, env: {} })).toMatchObject({ endpoint: 'https://face.bws-eu.bioid.com', key: BWS_KEY, sources: { endpoint: 'site', key: 'site' } });
  });

  it('an administrator PIN from the site file guards the station and cannot be changed in the app', async () => {
    const { env } = site({ adminPinHash: formatPinRecord(await hashPin('246810', { N: 2 ** 14, r: 8, p: 1 })) });
    const previous = process.env.STATION_SITE_FILE;
    process.env.STATION_SITE_FILE = env.STATION_SITE_FILE;
    const station = await createStation({ dataDir: tempDir('station-site-pin-'), keyProvider: new HeadlessKeyProvider({ envKey: newKey() }), env: { ...process.env } });
    try {
      expect(await station.adminStatus()).toMatchObject({ pinSet: true, unlocked: false });
      await expect(station.setSetting('clientId', 'x')).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
      await expect(station.unlockAdmin('135790')).rejects.toMatchObject({ code: 'PIN_WRONG' });
      expect(await station.unlockAdmin('246810')).toMatchObject({ unlocked: true });
      await station.setSetting('clientId', 'x');
      await expect(station.setAdminPin('246810', '111111')).rejects.toMatchObject({ code: 'SITE_LOCKED' });
    } finally {
      await station.close();
      if (previous === undefined) delete process.env.STATION_SITE_FILE;
      else process.env.STATION_SITE_FILE = previous;
    }
  });

  it('the app refuses to change a locked setting and shows it locked through the contract', async () => {
    const { env } = site({ endpoint: 'https://face.bws-eu.bioid.com', locked: true });
    const previous = process.env.STATION_SITE_FILE;
    process.env.STATION_SITE_FILE = env.STATION_SITE_FILE;
    const station = await createStation({ dataDir: tempDir('station-site-app-'), keyProvider: new HeadlessKeyProvider({ envKey: newKey() }), env: { ...process.env } });
    try {
      await expect(station.setSetting('endpoint', 'https://face.bws-us.bioid.com')).rejects.toMatchObject({ code: 'SITE_LOCKED' });
      const endpoint = (await station.getSettings()).find((entry) => entry.name === 'endpoint');
      expect(endpoint).toMatchObject({ value: 'https://face.bws-eu.bioid.com', locked: true, source: 'site-locked' });
      await station.setSetting('matchThreshold', 0.5);
    } finally {
      await station.close();
      if (previous === undefined) delete process.env.STATION_SITE_FILE;
      else process.env.STATION_SITE_FILE = previous;
    }
  });
});

describe('bad site files', () => {
  const SECRETISH = 'TOP-SECRET-VALUE-42';
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON (reported by position, not quoted)', `{ "clientId": "${SECRETISH}", }`, /is not valid JSON \(line 1, column \d+\)/],
    ['not an object', '[1, 2]', /must hold one JSON object/],
    ['an unknown setting', { endpiont: 'https://x.example' }, /unknown setting "endpiont"/],
    ['an invalid value (the settings schema)', { endpoint: SECRETISH }, /invalid "endpoint"/],
    ['the wrong type', { matchThreshold: 'high' }, /invalid "matchThreshold"/],
    ['the BWS key itself', { key: SECRETISH }, /must not hold the secret "key".*"keyFile"/],
    ['a lock without a value', { clientId: 'x', locked: ['endpoint'] }, /locks "endpoint" without setting it/],
    ['a malformed lock', { clientId: 'x', locked: 'all' }, /invalid "locked"/],
    ['an empty key file path', { keyFile: '' }, /invalid "keyFile"/],
    ['a PIN instead of its hash', { adminPinHash: '246810' }, /invalid "adminPinHash".*station config pin-hash/],
    ['a PIN hash with a weak work factor', { adminPinHash: 'scrypt$2$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=' }, /invalid "adminPinHash"/],
  ];
  for (const [what, content, message] of cases) {
    it(`refuses ${what} with a coded error naming the file and never its values`, () => {
      const { file, env } = site(content);
      let error: { code?: string; message?: string } = {};
      try {
        loadSiteConfig(env);
      } catch (caught) {
        error = caught as typeof error;
      }
      expect(error.code).toBe('SITE_FILE_INVALID');
      expect(error.message).toMatch(message);
      expect(error.message).toContain(file);
      expect(error.message).not.toContain(SECRETISH);
    });
  }

  it('a bad site file stops the station with that error instead of running with half a configuration', async () => {
    const { env } = site({ endpoint: 'not a url' });
    const previous = process.env.STATION_SITE_FILE;
    process.env.STATION_SITE_FILE = env.STATION_SITE_FILE;
    try {
      await expect(openStore(tempDir('station-site-bad-'), newKey())).rejects.toMatchObject({ code: 'SITE_FILE_INVALID' });
    } finally {
      if (previous === undefined) delete process.env.STATION_SITE_FILE;
      else process.env.STATION_SITE_FILE = previous;
    }
  });
});

describe('station doctor', () => {
  it('shows where each effective setting came from, and never the key', async () => {
    const { file, env } = site({ endpoint: 'https://face.bws-eu.bioid.com', clientId: 'site-client', keyFile, locked: ['endpoint', 'keyFile'] });
    const dataDir = tempDir('station-site-doctor-');
    const envKey = newKey();
    const store = await openStore(dataDir, envKey, {});
    store.close();
    const report = await runDoctor({ dataDir, keyProvider: new HeadlessKeyProvider({ envKey }), env: { ...env, BWS_CLIENT_ID: 'env-client' }, network: false });
    const detail = (name: string) => report.checks.find((check) => check.name === name)?.detail;
    expect(detail('site file')).toBe(`${file}: 3 setting(s), 2 locked`);
    expect(detail('setting endpoint')).toBe('"https://face.bws-eu.bioid.com" (site file, locked)');
    expect(detail('setting clientId')).toBe('"env-client" (environment BWS_CLIENT_ID)');
    expect(detail('setting key')).toBe('(set) (key file named by the site file, locked)');
    expect(detail('setting matchThreshold')).toBe('0.4 (default)');
    expect(JSON.stringify(report)).not.toContain(BWS_KEY);

    const bad = await runDoctor({ dataDir, keyProvider: new HeadlessKeyProvider({ envKey }), env: site('{').env, network: false });
    expect(bad.checks.find((check) => check.name === 'site file')).toMatchObject({ ok: false, code: 'SITE_FILE_INVALID' });
    expect(bad.ok).toBe(false);
  });
});
