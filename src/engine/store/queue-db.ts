import fs from 'node:fs';
import { StationError } from '../../shared/errors.js';
import { dataPaths } from '../paths.js';
import { type SqliteDatabase, openEncryptedDatabase } from './database.js';
import { readFolderInfo } from './folder-info.js';
import { type KeyProvider, keyMatches } from './keys.js';
import { QUEUE_MIGRATIONS } from './migrations/index.js';

export interface OpenQueueOptions {
  dataDir: string;
  keyProvider: KeyProvider;
  /** Create the folder and its database when missing (commands that write); read-only commands pass false. */
  create: boolean;
  integrityCheck?: 'full' | 'quick' | 'none';
}

/** Opens the station's queue database (jobs, images, audit log, settings) in a data folder. */
export async function openQueueDatabase(options: OpenQueueOptions): Promise<SqliteDatabase> {
  const paths = dataPaths(options.dataDir);
  // Read-only callers must not mint a key (or a key file) for a folder that has no queue yet.
  if (!options.create && !fs.existsSync(paths.queueDb)) {
    throw new StationError('NOT_CONFIGURED', `There is no queue in ${options.dataDir} yet: enroll or import first, or pick the right folder with --data-dir.`);
  }
  const key = await options.keyProvider.obtainKey(options.dataDir);
  const info = readFolderInfo(options.dataDir);
  return openEncryptedDatabase({
    file: paths.queueDb,
    key,
    create: options.create,
    migrations: QUEUE_MIGRATIONS,
    quarantineDir: paths.quarantineDir,
    integrityCheck: options.integrityCheck ?? 'full',
    keyVerified: info !== null && keyMatches(info, key),
  });
}
