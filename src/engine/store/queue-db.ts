import fs from 'node:fs';
import { StationError } from '../../shared/errors.js';
import { dataPaths } from '../paths.js';
import { type SqliteDatabase, openEncryptedDatabase } from './database.js';
import { AuditLog } from './audit.js';
import { type FolderInfo, readFolderInfo, writeFolderInfo } from './folder-info.js';
import { type KeyProvider, keyMatches } from './keys.js';
import { QUEUE_MIGRATIONS } from './migrations/index.js';

export interface OpenQueueOptions {
  dataDir: string;
  keyProvider: KeyProvider;
  /** Create the folder and its database when missing (commands that write); read-only commands pass false. */
  create: boolean;
  integrityCheck?: 'full' | 'quick' | 'none';
  /**
   * Start an empty queue although the folder's facts say it had one (queue.db went missing). Only on an
   * operator's explicit request (`--new-queue`); the new queue's audit log records it.
   */
  newQueue?: boolean;
}

/**
 * The facts say this folder had a queue, and queue.db is gone: starting an empty one silently would hide that
 * every queued enrollment was lost (a deleted file, a restore that forgot it, the wrong folder). Throws
 * QUEUE_MISSING then; returns when the folder simply has no queue yet.
 */
export function refuseMissingQueue(dataDir: string, info: FolderInfo | null = readFolderInfo(dataDir)): void {
  const file = dataPaths(dataDir).queueDb;
  if (!info?.queueCreatedAt || fs.existsSync(file)) return;
  throw new StationError(
    'QUEUE_MISSING',
    `The queue database ${file} is missing, although this data folder has had a queue since ${info.queueCreatedAt} (station.json). Restore queue.db (with queue.db-wal if there was one) from a backup, or check --data-dir; to start an empty queue on purpose, run the command again with --new-queue (recorded in the audit log).`,
  );
}

/** Opens the station's queue database (jobs, images, audit log, settings) in a data folder. */
export async function openQueueDatabase(options: OpenQueueOptions): Promise<SqliteDatabase> {
  const paths = dataPaths(options.dataDir);
  const before = readFolderInfo(options.dataDir);
  const queueExisted = fs.existsSync(paths.queueDb);
  if (!queueExisted && !options.newQueue) refuseMissingQueue(options.dataDir, before);
  // Read-only callers must not mint a key (or a key file) for a folder that has no queue yet.
  if (!options.create && !fs.existsSync(paths.queueDb)) {
    throw new StationError('NOT_CONFIGURED', `There is no queue in ${options.dataDir} yet: enroll or import first, or pick the right folder with --data-dir.`);
  }
  const key = await options.keyProvider.obtainKey(options.dataDir);
  const info = readFolderInfo(options.dataDir);
  const db = openEncryptedDatabase({
    file: paths.queueDb,
    key,
    create: options.create,
    migrations: QUEUE_MIGRATIONS,
    quarantineDir: paths.quarantineDir,
    integrityCheck: options.integrityCheck ?? 'full',
    keyVerified: info !== null && keyMatches(info, key),
  });
  if (info && (!info.queueCreatedAt || !queueExisted)) {
    // The fact that a queue exists from now on, so that its loss can be noticed (see above); written only
    // after the database opened with the key, for a new queue and for one made before this fact was kept.
    writeFolderInfo(options.dataDir, { ...info, queueCreatedAt: new Date().toISOString() });
    if (!queueExisted && before?.queueCreatedAt) {
      new AuditLog(db).append('queue_recreated', null, { previousQueueSince: before.queueCreatedAt, reason: 'queue.db was missing; an operator started an empty queue with --new-queue' });
    }
  }
  return db;
}
