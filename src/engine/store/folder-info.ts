import fs from 'node:fs';
import { z } from 'zod';
import { StationError } from '../../shared/errors.js';
import { dataPaths } from '../paths.js';

/**
 * `station.json`: the non-secret facts about a data folder. A folder is created in one key mode and keeps it:
 *  - "keystore": the Electron app's folder; a random key wrapped by the OS keystore (safeStorage).
 *  - "headless": the CLI's folder; the key comes from STATION_DB_KEY, a passphrase, or a 0600 key file.
 * The file holds a key check value (HMAC of a fixed label under the key) so that a wrong key can be told
 * apart from a damaged database; it reveals nothing about a random 32-byte key.
 */
export const folderInfoSchema = z.object({
  formatVersion: z.literal(1),
  createdAt: z.string(),
  keyMode: z.enum(['keystore', 'headless']),
  /** Where the key comes from: safeStorage | env | passphrase | keyfile. */
  keySource: z.enum(['safeStorage', 'env', 'passphrase', 'keyfile']),
  /** HMAC-SHA256(key, "enrollment-station key check"), hex. */
  keyCheck: z.string().regex(/^[0-9a-f]{64}$/),
  /** Passphrase mode: scrypt salt (base64) and cost. */
  scrypt: z.object({ salt: z.string(), N: z.number().int(), r: z.number().int(), p: z.number().int() }).optional(),
  /** Keystore mode: the key as wrapped by safeStorage (base64) and the backend pinned at creation. */
  wrappedKey: z.string().optional(),
  keystoreBackend: z.string().optional(),
  /** Set by an administrator to allow Linux's basic_text fallback (a hard-coded password, no real protection). */
  allowWeakKeystore: z.boolean().optional(),
  /** When the queue database was created: from then on a missing queue.db is an error, never a fresh start. */
  queueCreatedAt: z.string().optional(),
});

export type FolderInfo = z.infer<typeof folderInfoSchema>;

export function readFolderInfo(dataDir: string): FolderInfo | null {
  const file = dataPaths(dataDir).folderInfo;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StationError('DATA_DIR', `Cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = folderInfoSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new StationError('DATA_DIR', `${file} is damaged. It records how the queue's key is kept; restore it from a backup. The queue itself was not touched.`);
  }
  return parsed.data;
}

export function writeFolderInfo(dataDir: string, info: FolderInfo): void {
  const file = dataPaths(dataDir).folderInfo;
  ensureDataDir(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}

export function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch (error) {
    throw new StationError('DATA_DIR', `The data folder ${dataDir} cannot be used: ${(error as Error).message}. Choose another with --data-dir or STATION_DATA_DIR.`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function describeKeySource(info: Pick<FolderInfo, 'keyMode' | 'keySource' | 'keystoreBackend'>): string {
  switch (info.keySource) {
    case 'safeStorage':
      return `OS keystore (safeStorage${info.keystoreBackend ? `, ${info.keystoreBackend}` : ''})`;
    case 'env':
      return 'STATION_DB_KEY environment variable';
    case 'passphrase':
      return 'passphrase (scrypt)';
    case 'keyfile':
      return 'key file in the data folder (no OS keystore protects it)';
  }
}

