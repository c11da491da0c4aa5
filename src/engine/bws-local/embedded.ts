import { hkdfSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { dataPaths } from '../paths.js';
import { openEncryptedDatabase } from '../store/database.js';
import type { VisionEngine } from '../vision/types.js';
import type { LocalBwsMode } from './handlers.js';
import { startLocalBws } from './server.js';

export const CREDENTIALS_FILE = 'credentials.db';

export interface LocalBwsSecrets {
  clientId: string;
  /** Base64 of the 64-byte client key (what the station's BWS client signs its JWTs with). */
  key: string;
  /** 32-byte key of the local service's templates database: random, its own, not the queue's key. */
  templatesKey: Buffer;
}

/**
 * Credentials of the station's embedded local service, generated on first use and kept in a small encrypted
 * SQLite file in the service's own folder (dataPaths(dataDir).localBwsDir). That file is encrypted with a key
 * derived from the station key (HKDF, so the queue key itself is never used on another file).
 */
export function localBwsSecrets(dataDir: string, dbKey: Buffer): LocalBwsSecrets {
  const dir = dataPaths(dataDir).localBwsDir;
  const fileKey = Buffer.from(hkdfSync('sha256', dbKey, Buffer.alloc(0), 'enrollment-station local-bws credentials v1', 32));
  const db = openEncryptedDatabase({
    file: path.join(dir, CREDENTIALS_FILE),
    key: fileKey,
    create: true,
    quarantineDir: dataPaths(dataDir).quarantineDir,
    migrations: [{ version: 1, description: 'local service credentials', up: (d) => d.exec('CREATE TABLE credentials (id INTEGER PRIMARY KEY CHECK (id = 1), client_id TEXT NOT NULL, client_key BLOB NOT NULL, templates_key BLOB NOT NULL, created_at TEXT NOT NULL) STRICT') }],
  });
  try {
    const read = () => db.prepare('SELECT client_id, client_key, templates_key FROM credentials WHERE id = 1').get() as { client_id: string; client_key: Buffer; templates_key: Buffer } | undefined;
    let row = read();
    if (!row) {
      db.prepare('INSERT OR IGNORE INTO credentials (id, client_id, client_key, templates_key, created_at) VALUES (1, ?, ?, ?, ?)').run(`local-${randomBytes(6).toString('hex')}`, randomBytes(64), randomBytes(32), new Date().toISOString());
      row = read()!;
    }
    return { clientId: row.client_id, key: row.client_key.toString('base64'), templatesKey: row.templates_key };
  } finally {
    db.close();
  }
}

/**
 * The local service's key from the station (queue) key: HKDF, so the service's files never use the queue key
 * itself. Station.startEmbedded() and `station bws --local` / `serve` must derive it the same way.
 */
export function localServiceKey(queueKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', queueKey, Buffer.alloc(0), 'enrollment-station local BWS database', 32));
}

export interface EmbeddedLocalBws {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  clientId: string;
  /** Base64 client key for the station's BWS client; never print it. */
  key: string;
  close(): Promise<void>;
}

/** Starts the embedded local service in-process on 127.0.0.1 (a free port) with the station's local credentials. */
export async function startEmbeddedLocalBws(dataDir: string, dbKey: Buffer, options: { vision?: VisionEngine; mode?: LocalBwsMode } = {}): Promise<EmbeddedLocalBws> {
  const secrets = localBwsSecrets(dataDir, dbKey);
  const running = await startLocalBws({
    host: '127.0.0.1',
    port: 0,
    clientId: secrets.clientId,
    key: secrets.key,
    dataDir: dataPaths(dataDir).localBwsDir,
    dbKey: secrets.templatesKey,
    ...(options.vision ? { vision: options.vision } : {}),
    ...(options.mode ? { mode: options.mode } : {}),
  });
  return { endpoint: `http://127.0.0.1:${running.port}`, clientId: secrets.clientId, key: secrets.key, close: () => running.close() };
}
