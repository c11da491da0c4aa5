import os from 'node:os';
import path from 'node:path';

/** The product name; Electron derives `app.getPath('userData')` from it, and so does the CLI. */
export const PRODUCT_NAME = 'Enrollment Station';

/**
 * The per-user application data folder, computed the way Electron computes `userData`, so the app and the
 * `station` command find the same queue without being told.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  switch (platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
  }
}

/** Resolution order: explicit option, then STATION_DATA_DIR, then the per-OS default. */
export function resolveDataDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (option) return path.resolve(option);
  if (env.STATION_DATA_DIR) return path.resolve(env.STATION_DATA_DIR);
  return defaultDataDir(env);
}

/** Where things live inside a data folder. One place, so nobody invents a second file name. */
export function dataPaths(dataDir: string) {
  return {
    dataDir,
    /** Key mode and non-secret metadata of the folder (never a key). */
    folderInfo: path.join(dataDir, 'station.json'),
    /** The queue, audit log and settings (SQLCipher). */
    queueDb: path.join(dataDir, 'queue.db'),
    /** Headless key file (0600), only when that key source is chosen. */
    keyFile: path.join(dataDir, 'queue.key'),
    /** The embedded BWS-compatible service's own database. */
    localBwsDir: path.join(dataDir, 'local-bws'),
    /** Corrupt databases are moved here, never deleted. */
    quarantineDir: path.join(dataDir, 'quarantine'),
    /** Lock file held by the one process that syncs this folder. */
    syncLock: path.join(dataDir, 'sync.lock'),
  };
}
