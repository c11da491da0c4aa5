import fs from 'node:fs';
import os from 'node:os';
import Database from 'better-sqlite3-multiple-ciphers';
import { StationError } from '../../shared/errors.js';
import { dataPaths } from '../paths.js';

/**
 * The one-syncer rule: only one process syncs a data folder at a time.
 *
 * The lock is an exclusive SQLite lock on `sync.lock` (a tiny unencrypted database holding nothing secret),
 * taken with `locking_mode = EXCLUSIVE` and kept for as long as the syncer runs. SQLite's file locks are held
 * by the operating system for the process, so a crash, SIGKILL or power cut frees them: no stale lock file to
 * clean up, no heartbeat and no PID guessing. A second syncer in any process (including the same one) finds
 * the lock busy and either waits or gets SYNC_LOCKED with the holder's description from `sync.lock.owner`
 * (informational only; the lock itself never depends on it).
 */
export interface SyncLockOwner {
  pid: number;
  host: string;
  since: string;
  purpose: string;
}

export interface AcquireOptions {
  /** What the holder is doing, shown to a second syncer ("station sync", "Enrollment Station app"). */
  purpose?: string;
  /** Wait up to this long for the lock (0: fail at once). */
  waitMs?: number;
  pollMs?: number;
}

export class SyncLock {
  private constructor(private db: Database.Database | null, private readonly ownerFile: string) {}

  /** Takes the lock or throws SYNC_LOCKED (after waiting up to `waitMs`). */
  static async acquire(dataDir: string, options: AcquireOptions = {}): Promise<SyncLock> {
    const deadline = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      const lock = SyncLock.tryAcquire(dataDir, options.purpose ?? 'sync');
      if (lock) return lock;
      if (Date.now() >= deadline) {
        const owner = SyncLock.describeOwner(dataDir);
        throw new StationError(
          'SYNC_LOCKED',
          `Another process is already syncing ${dataDir}${owner ? ` (${owner})` : ''}. Only one may sync a data folder at a time: stop it first, or leave the syncing to it.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 250, Math.max(1, deadline - Date.now()))));
    }
  }

  /** One attempt; null when someone else holds the lock. */
  static tryAcquire(dataDir: string, purpose = 'sync'): SyncLock | null {
    const paths = dataPaths(dataDir);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    let db: Database.Database;
    try {
      // Like every file of the data folder, the lock is private (SQLite would create it with the umask's 0644;
      // it reuses the file's mode for its journal). A lock file from an older version is tightened too.
      fs.closeSync(fs.openSync(paths.syncLock, 'a', 0o600));
      fs.chmodSync(paths.syncLock, 0o600);
      db = new Database(paths.syncLock, { timeout: 0 });
    } catch (error) {
      throw new StationError('DATA_DIR', `Cannot create the sync lock ${paths.syncLock}: ${(error as Error).message}`);
    }
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = DELETE');
      // A write takes the EXCLUSIVE file lock; with locking_mode EXCLUSIVE it is kept until close.
      db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (at TEXT); DELETE FROM holder; INSERT INTO holder VALUES (datetime()); COMMIT;');
    } catch (error) {
      db.close();
      const code = (error as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return null;
      throw new StationError('DATA_DIR', `Cannot take the sync lock ${paths.syncLock}: ${(error as Error).message}`);
    }
    const owner: SyncLockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), purpose };
    const ownerFile = `${paths.syncLock}.owner`;
    try {
      fs.writeFileSync(ownerFile, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
    } catch {
      // informational only
    }
    return new SyncLock(db, ownerFile);
  }

  static describeOwner(dataDir: string): string | null {
    try {
      const owner = JSON.parse(fs.readFileSync(`${dataPaths(dataDir).syncLock}.owner`, 'utf8')) as SyncLockOwner;
      return `${owner.purpose}, process ${owner.pid} on ${owner.host}, since ${owner.since}`;
    } catch {
      return null;
    }
  }

  get held(): boolean {
    return this.db !== null;
  }

  release(): void {
    if (!this.db) return;
    try {
      fs.rmSync(this.ownerFile, { force: true });
    } catch {
      // the lock itself is what matters
    }
    this.db.close();
    this.db = null;
  }
}
