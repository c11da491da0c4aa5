import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../src/engine/store/database.js';
import { readFolderInfo } from '../../src/engine/store/folder-info.js';
import { HeadlessKeyProvider, StaticKeyProvider } from '../../src/engine/store/keys.js';
import { resetElectronStub, safeStorage } from '../stubs/electron.js';
import { SafeStorageKeyProvider } from '../../src/main/keystore.js';

let dir: string;
beforeEach(() => {
  resetElectronStub();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-keystore-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const linux = (options: { allowWeakKeystore?: boolean } = {}) => new SafeStorageKeyProvider(safeStorage, { platform: 'linux', ...options });

describe('safeStorage key provider', () => {
  it('creates a random 32-byte key, wraps it, and pins the keystore backend', async () => {
    const key = await linux().obtainKey(dir);
    expect(key).toHaveLength(32);
    const info = readFolderInfo(dir)!;
    expect(info).toMatchObject({ keyMode: 'keystore', keySource: 'safeStorage', keystoreBackend: 'gnome_libsecret' });
    expect(info.allowWeakKeystore).toBeUndefined();
    // The key itself is nowhere in the folder's metadata, in any encoding.
    const text = fs.readFileSync(path.join(dir, 'station.json'), 'utf8');
    expect(text).not.toContain(key.toString('base64'));
    expect(text).not.toContain(key.toString('hex'));
    expect(Buffer.from(info.wrappedKey!, 'base64').equals(key)).toBe(false);
    expect(fs.statSync(path.join(dir, 'station.json')).mode & 0o077).toBe(0);

    const again = await linux().obtainKey(dir);
    expect(again.equals(key)).toBe(true);
    expect(linux().describe()).toBe('OS keystore (safeStorage, gnome_libsecret)');
  });

  it('the unwrapped key opens a real encrypted database that the engine then reopens with it', async () => {
    const key = await linux().obtainKey(dir);
    const file = path.join(dir, 'queue.db');
    const db = openEncryptedDatabase({ file, key, create: true, migrations: [{ version: 1, description: 't', up: (d) => d.exec('CREATE TABLE t (x TEXT)') }] });
    db.prepare('INSERT INTO t VALUES (?)').run('kept');
    db.close();
    // What the engine process does with the key main hands it.
    const engineKey = await new StaticKeyProvider(await linux().obtainKey(dir), 'test').obtainKey(dir);
    const reopened = openEncryptedDatabase({ file, key: engineKey, create: false, migrations: [{ version: 1, description: 't', up: (d) => d.exec('CREATE TABLE t (x TEXT)') }] });
    expect(reopened.prepare('SELECT x FROM t').get()).toEqual({ x: 'kept' });
    reopened.close();
    expect(fs.readFileSync(file).subarray(0, 16).toString('latin1')).not.toContain('SQLite format 3');
  });

  it('refuses Linux basic_text unless allowed, and records the permission when it is', async () => {
    safeStorage.backend = 'basic_text';
    await expect(linux().obtainKey(dir)).rejects.toMatchObject({ code: 'KEYSTORE_UNAVAILABLE', message: expect.stringContaining('basic_text') });
    expect(readFolderInfo(dir)).toBeNull();

    const key = await linux({ allowWeakKeystore: true }).obtainKey(dir);
    expect(readFolderInfo(dir)).toMatchObject({ keystoreBackend: 'basic_text', allowWeakKeystore: true });
    // The administrator's permission is in station.json now, so a plain start opens it too.
    expect((await linux().obtainKey(dir)).equals(key)).toBe(true);
  });

  it('refuses a folder whose keystore backend changed, and changes nothing', async () => {
    await linux().obtainKey(dir);
    const before = fs.readFileSync(path.join(dir, 'station.json'), 'utf8');
    safeStorage.backend = 'kwallet6';
    await expect(linux().obtainKey(dir)).rejects.toMatchObject({ code: 'KEYSTORE_UNAVAILABLE', message: expect.stringContaining('"gnome_libsecret"') });
    safeStorage.backend = 'basic_text';
    await expect(linux({ allowWeakKeystore: true }).obtainKey(dir)).rejects.toMatchObject({ code: 'KEYSTORE_UNAVAILABLE' });
    expect(fs.readFileSync(path.join(dir, 'station.json'), 'utf8')).toBe(before);
  });

  it('reports a keyring that cannot unwrap the key (another user, a reset keyring) as KEY_WRONG', async () => {
    await linux().obtainKey(dir);
    safeStorage.keyringSecret = 0x33;
    await expect(linux().obtainKey(dir)).rejects.toMatchObject({ code: 'KEY_WRONG' });
  });

  it('refuses when the keystore cannot encrypt', async () => {
    safeStorage.available = false;
    await expect(linux().obtainKey(dir)).rejects.toMatchObject({ code: 'KEYSTORE_UNAVAILABLE' });
  });

  it('re-wraps the same key when the keystore asks for it', async () => {
    const key = await linux().obtainKey(dir);
    const before = readFolderInfo(dir)!;
    let wraps = 0;
    const original = safeStorage.encryptStringAsync;
    safeStorage.encryptStringAsync = async (text: string) => {
      wraps += 1;
      return original(text);
    };
    try {
      expect((await linux().obtainKey(dir)).equals(key)).toBe(true);
      expect(wraps).toBe(0);
      safeStorage.shouldReEncrypt = true;
      expect((await linux().obtainKey(dir)).equals(key)).toBe(true);
      expect(wraps).toBe(1);
    } finally {
      safeStorage.encryptStringAsync = original;
    }
    const after = readFolderInfo(dir)!;
    expect(after.keyCheck).toBe(before.keyCheck);
    expect(after.keystoreBackend).toBe('gnome_libsecret');
  });

  it('keeps a headless folder headless and a keystore folder away from the CLI', async () => {
    const headlessDir = path.join(dir, 'headless');
    await new HeadlessKeyProvider({ envKey: Buffer.alloc(32, 7).toString('base64') }).obtainKey(headlessDir);
    await expect(linux().obtainKey(headlessDir)).rejects.toMatchObject({ code: 'KEY_MODE_MISMATCH' });

    const appDir = path.join(dir, 'app');
    await linux().obtainKey(appDir);
    await expect(new HeadlessKeyProvider({}).obtainKey(appDir)).rejects.toMatchObject({ code: 'KEY_MODE_MISMATCH' });
  });

  it('names the platform keystore on macOS and Windows', () => {
    expect(new SafeStorageKeyProvider(safeStorage, { platform: 'darwin' }).backend()).toBe('keychain');
    expect(new SafeStorageKeyProvider(safeStorage, { platform: 'win32' }).backend()).toBe('dpapi');
  });
});
