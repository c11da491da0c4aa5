import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { StationError } from '../../shared/errors.js';
import { dataPaths } from '../paths.js';
import { databaseOpensWith } from './database.js';
import { type FolderInfo, ensureDataDir, readFolderInfo, writeFolderInfo } from './folder-info.js';

/** The queue database key: 32 random bytes (or scrypt output for a passphrase). */
export const KEY_BYTES = 32;

/**
 * A port through which the engine receives the queue's key. The engine never knows where a key comes from:
 * the Electron shell implements this with safeStorage; the CLI and tests with the headless provider below.
 */
export interface KeyProvider {
  /** Short description for `station doctor` (never the key). */
  describe(): string;
  /** Returns the key for the folder, creating and recording one if the folder is new. */
  obtainKey(dataDir: string): Promise<Buffer>;
}

export function keyCheckValue(key: Buffer): string {
  return createHmac('sha256', key).update('enrollment-station key check').digest('hex');
}

export function keyMatches(info: FolderInfo, key: Buffer): boolean {
  const expected = Buffer.from(info.keyCheck, 'hex');
  const actual = Buffer.from(keyCheckValue(key), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Decodes a base64 key and insists on 32 bytes. */
export function decodeKey(base64: string, origin: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== base64.trim().replace(/=+$/, '')) {
    throw new StationError('KEY_INVALID', `${origin} must be ${KEY_BYTES} bytes encoded as base64 (for example: openssl rand -base64 32).`);
  }
  return key;
}

const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };

export function deriveFromPassphrase(passphrase: string, saltBase64: string, params = SCRYPT): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(saltBase64, 'base64'), KEY_BYTES, { ...params, maxmem: 128 * params.N * params.r * 2 });
}

export interface HeadlessKeyOptions {
  /** STATION_DB_KEY: base64 of 32 bytes. */
  envKey?: string | undefined;
  /** A passphrase (STATION_DB_PASSPHRASE or a prompt); the key is derived with scrypt. */
  passphrase?: string | undefined;
  /** Called once when a new key file is created, to warn that no OS keystore protects it. */
  onKeyFileCreated?: ((file: string) => void) | undefined;
}

/**
 * Headless key provider (CLI, tests, screenless kiosks). Order for a new folder: STATION_DB_KEY, then a
 * passphrase, then a 0600 key file in the folder. An existing folder keeps the source it was created with.
 */
export class HeadlessKeyProvider implements KeyProvider {
  constructor(private readonly options: HeadlessKeyOptions) {}

  describe(): string {
    if (this.options.envKey) return 'headless: STATION_DB_KEY';
    if (this.options.passphrase) return 'headless: passphrase (scrypt)';
    return 'headless: key file';
  }

  async obtainKey(dataDir: string): Promise<Buffer> {
    const info = readFolderInfo(dataDir);
    if (info) return this.keyForExistingFolder(dataDir, info);
    if (fs.existsSync(dataPaths(dataDir).queueDb)) return this.keyForQueueWithoutFacts(dataDir);
    return this.createKey(dataDir);
  }

  /**
   * station.json is gone but the queue is there: the key given must prove itself on the database before any
   * fact is written again. A wrong key changes nothing in the folder (no new station.json, no quarantine copy).
   */
  private keyForQueueWithoutFacts(dataDir: string): Buffer {
    const paths = dataPaths(dataDir);
    const missing = `${paths.folderInfo} is missing next to the existing queue ${paths.queueDb}`;
    let key: Buffer;
    let keySource: FolderInfo['keySource'];
    if (this.options.envKey) {
      key = decodeKey(this.options.envKey, 'STATION_DB_KEY');
      keySource = 'env';
    } else if (fs.existsSync(paths.keyFile)) {
      key = decodeKey(fs.readFileSync(paths.keyFile, 'utf8'), `The key file ${paths.keyFile}`);
      keySource = 'keyfile';
    } else {
      // A passphrase's scrypt salt lived in station.json: without it the key cannot be derived again.
      throw new StationError('FOLDER_INFO_MISSING', `${missing}. Restore station.json from a backup (a passphrase-protected queue needs it), or set STATION_DB_KEY to the queue's key. Nothing was changed.`);
    }
    if (!databaseOpensWith(paths.queueDb, key)) {
      throw new StationError('KEY_WRONG', `${missing}, and the key given (${keySource === 'env' ? 'STATION_DB_KEY' : 'the key file'}) does not open that queue. Nothing was written; set the key the queue was created with, or restore station.json from a backup.`);
    }
    writeFolderInfo(dataDir, { formatVersion: 1, createdAt: new Date().toISOString(), keyMode: 'headless', keySource, keyCheck: keyCheckValue(key), queueCreatedAt: new Date().toISOString() });
    return key;
  }

  private keyForExistingFolder(dataDir: string, info: FolderInfo): Buffer {
    if (info.keyMode === 'keystore') {
      throw new StationError(
        'KEY_MODE_MISMATCH',
        `The data folder ${dataDir} belongs to the Enrollment Station app: its key is sealed in this user's OS keystore, which the command line cannot open. Use the app, or give the command line its own folder with --data-dir.`,
      );
    }
    let key: Buffer;
    switch (info.keySource) {
      case 'env':
        if (!this.options.envKey) throw new StationError('KEY_MISSING', `The queue in ${dataDir} was created with STATION_DB_KEY; set that variable to the same key to open it.`);
        key = decodeKey(this.options.envKey, 'STATION_DB_KEY');
        break;
      case 'passphrase':
        if (!this.options.passphrase || !info.scrypt) throw new StationError('KEY_MISSING', `The queue in ${dataDir} is protected by a passphrase; set STATION_DB_PASSPHRASE (or enter it when asked).`);
        key = deriveFromPassphrase(this.options.passphrase, info.scrypt.salt, info.scrypt);
        break;
      case 'keyfile': {
        const file = dataPaths(dataDir).keyFile;
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch {
          throw new StationError('KEY_MISSING', `The key file ${file} is missing, so the queue in ${dataDir} cannot be opened. Restore the key file from a backup; the queue was left untouched.`);
        }
        key = decodeKey(text, `The key file ${file}`);
        break;
      }
      default:
        throw new StationError('KEY_MODE_MISMATCH', `The data folder ${dataDir} uses a key source (${info.keySource}) the command line does not have.`);
    }
    if (!keyMatches(info, key)) {
      throw new StationError('KEY_WRONG', `That key does not open the queue in ${dataDir}. Nothing was changed; use the key the folder was created with.`);
    }
    return key;
  }

  private createKey(dataDir: string): Buffer {
    ensureDataDir(dataDir);
    const base = { formatVersion: 1 as const, createdAt: new Date().toISOString(), keyMode: 'headless' as const };
    if (this.options.envKey) {
      const key = decodeKey(this.options.envKey, 'STATION_DB_KEY');
      writeFolderInfo(dataDir, { ...base, keySource: 'env', keyCheck: keyCheckValue(key) });
      return key;
    }
    if (this.options.passphrase) {
      const salt = randomBytes(16).toString('base64');
      const key = deriveFromPassphrase(this.options.passphrase, salt);
      writeFolderInfo(dataDir, { ...base, keySource: 'passphrase', keyCheck: keyCheckValue(key), scrypt: { salt, ...SCRYPT } });
      return key;
    }
    const key = randomBytes(KEY_BYTES);
    const file = dataPaths(dataDir).keyFile;
    // 'wx': never overwrite a key file that some earlier run left behind.
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    writeFolderInfo(dataDir, { ...base, keySource: 'keyfile', keyCheck: keyCheckValue(key) });
    this.options.onKeyFileCreated?.(file);
    return key;
  }
}

/** A provider for a key already in hand (the engine process receives the unwrapped key from Electron main). */
export class StaticKeyProvider implements KeyProvider {
  constructor(private readonly key: Buffer, private readonly description: string) {}
  describe(): string {
    return this.description;
  }
  async obtainKey(dataDir: string): Promise<Buffer> {
    const info = readFolderInfo(dataDir);
    if (info && !keyMatches(info, this.key)) throw new StationError('KEY_WRONG', `The key handed to the engine does not open ${dataDir}.`);
    return this.key;
  }
}

/** Builds the headless provider from the environment (the CLI's default). */
export function headlessKeyProviderFromEnv(env: NodeJS.ProcessEnv = process.env, onKeyFileCreated?: (file: string) => void): HeadlessKeyProvider {
  return new HeadlessKeyProvider({ envKey: env.STATION_DB_KEY, passphrase: env.STATION_DB_PASSPHRASE, onKeyFileCreated });
}
