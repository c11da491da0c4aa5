import { randomBytes } from 'node:crypto';
import { StationError } from '../shared/errors.js';
import { ensureDataDir, readFolderInfo, writeFolderInfo, type FolderInfo } from '../engine/store/folder-info.js';
import { KEY_BYTES, decodeKey, keyCheckValue, keyMatches, type KeyProvider } from '../engine/store/keys.js';

/** The part of Electron's safeStorage this provider uses (the async API where Electron has it). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  isAsyncEncryptionAvailable?(): Promise<boolean>;
  encryptStringAsync?(plainText: string): Promise<Buffer>;
  decryptStringAsync?(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  getSelectedStorageBackend?(): string;
}

export interface SafeStorageKeyOptions {
  platform?: NodeJS.Platform;
  /** Allow Linux's `basic_text` backend (a hard-coded password: no real protection). Off by default. */
  allowWeakKeystore?: boolean;
}

const WEAK_BACKEND = 'basic_text';

/**
 * The app's KeyProvider: a random 32-byte queue key wrapped by the OS keystore through safeStorage, kept as
 * `wrappedKey` in the folder's station.json with the keystore backend pinned at creation. Like Signal Desktop,
 * it refuses a folder whose backend changed (a different keyring cannot unwrap the key, and silently making a
 * new key would orphan the queue) and refuses Linux's basic_text fallback unless an administrator allowed it.
 */
export class SafeStorageKeyProvider implements KeyProvider {
  private readonly platform: NodeJS.Platform;

  constructor(private readonly safeStorage: SafeStorageLike, private readonly options: SafeStorageKeyOptions = {}) {
    this.platform = options.platform ?? process.platform;
  }

  /** The backend name recorded in station.json: the Linux keyring in use, else the platform's keystore. */
  backend(): string {
    if (this.platform === 'linux') return this.safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (this.platform === 'darwin') return 'keychain';
    if (this.platform === 'win32') return 'dpapi';
    return this.platform;
  }

  describe(): string {
    return `OS keystore (safeStorage, ${this.backend()})`;
  }

  async obtainKey(dataDir: string): Promise<Buffer> {
    const info = readFolderInfo(dataDir);
    return info ? this.unwrapExisting(dataDir, info) : this.createKey(dataDir);
  }

  private async available(): Promise<boolean> {
    if (this.safeStorage.isAsyncEncryptionAvailable) return this.safeStorage.isAsyncEncryptionAvailable();
    return this.safeStorage.isEncryptionAvailable();
  }

  private async encrypt(text: string): Promise<Buffer> {
    return this.safeStorage.encryptStringAsync ? this.safeStorage.encryptStringAsync(text) : this.safeStorage.encryptString(text);
  }

  private async decrypt(wrapped: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    if (this.safeStorage.decryptStringAsync) return this.safeStorage.decryptStringAsync(wrapped);
    return { result: this.safeStorage.decryptString(wrapped), shouldReEncrypt: false };
  }

  private async requireUsableBackend(backend: string, allowWeak: boolean): Promise<void> {
    if (backend === 'unknown') throw new StationError('KEYSTORE_UNAVAILABLE', 'The OS keystore is not ready yet (the app asked before it finished starting). Restart the app.');
    if (backend === WEAK_BACKEND && !allowWeak) {
      throw new StationError(
        'KEYSTORE_UNAVAILABLE',
        'No OS keyring (GNOME Keyring or KWallet) is available, only the "basic_text" fallback, which does not protect the queue key. Start a keyring service, or have an administrator allow the weak keystore (STATION_ALLOW_WEAK_KEYSTORE=1, or allowWeakKeystore in station.json).',
      );
    }
    if (!(await this.available())) throw new StationError('KEYSTORE_UNAVAILABLE', 'The OS keystore cannot encrypt right now, so the queue key cannot be protected. Unlock the keyring and restart the app.');
  }

  private async createKey(dataDir: string): Promise<Buffer> {
    const backend = this.backend();
    const allowWeak = this.options.allowWeakKeystore ?? false;
    await this.requireUsableBackend(backend, allowWeak);
    ensureDataDir(dataDir);
    const key = randomBytes(KEY_BYTES);
    const wrapped = await this.encrypt(key.toString('base64'));
    writeFolderInfo(dataDir, {
      formatVersion: 1,
      createdAt: new Date().toISOString(),
      keyMode: 'keystore',
      keySource: 'safeStorage',
      keyCheck: keyCheckValue(key),
      wrappedKey: wrapped.toString('base64'),
      keystoreBackend: backend,
      ...(backend === WEAK_BACKEND ? { allowWeakKeystore: true } : {}),
    });
    return key;
  }

  private async unwrapExisting(dataDir: string, info: FolderInfo): Promise<Buffer> {
    if (info.keyMode !== 'keystore' || info.keySource !== 'safeStorage' || !info.wrappedKey) {
      throw new StationError(
        'KEY_MODE_MISMATCH',
        `The data folder ${dataDir} was created by the command line (headless key mode) and keeps that mode. Use \`npx station\` with its key, or start the app with another folder (STATION_DATA_DIR).`,
      );
    }
    const backend = this.backend();
    if (info.keystoreBackend && info.keystoreBackend !== backend) {
      throw new StationError(
        'KEYSTORE_UNAVAILABLE',
        `The queue key of ${dataDir} was sealed by the "${info.keystoreBackend}" keystore, but this session uses "${backend}". Log in to the desktop session that has that keyring; nothing was changed.`,
      );
    }
    await this.requireUsableBackend(backend, (this.options.allowWeakKeystore ?? false) || info.allowWeakKeystore === true);
    let unwrapped: { result: string; shouldReEncrypt: boolean };
    try {
      unwrapped = await this.decrypt(Buffer.from(info.wrappedKey, 'base64'));
    } catch {
      throw new StationError('KEY_WRONG', `The OS keystore could not unwrap the queue key of ${dataDir} (a different user or a reset keyring?). Nothing was changed.`);
    }
    const key = decodeKey(unwrapped.result, 'The unwrapped queue key');
    if (!keyMatches(info, key)) throw new StationError('KEY_WRONG', `The key unwrapped by the OS keystore does not open ${dataDir}. Nothing was changed.`);
    if (unwrapped.shouldReEncrypt) {
      // The keystore rotated its own key: store the key re-wrapped under the new one (the queue key is unchanged).
      const rewrapped = await this.encrypt(key.toString('base64'));
      writeFolderInfo(dataDir, { ...info, wrappedKey: rewrapped.toString('base64') });
    }
    return key;
  }
}
