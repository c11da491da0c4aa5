import fs from 'node:fs';
import type { SqliteDatabase } from './database.js';

/**
 * Makes commits durable without holding the event loop while the disk works ("group commit").
 *
 * A commit in WAL mode with `synchronous = NORMAL` writes its frames to the WAL file but does not fsync it; a
 * power cut could lose it. `flush()` then fdatasyncs the WAL file on libuv's thread pool and resolves once
 * every commit made before the call is on disk. Meanwhile the main thread keeps working (gRPC answers, the next
 * job's preparation), and commits that arrive while a flush is under way share the next one.
 * Why this is as safe as `synchronous = FULL` for those commits: their frames are in the WAL file until a
 * checkpoint copies them into the database, and SQLite syncs the WAL before it checkpoints and the database
 * after; so once the WAL file was synced after the commit, the commit survives a power cut either way.
 * A database not in WAL mode (or without a file) gets a FULL commit instead: see `durable`.
 */
export class WalFlusher {
  /** Commits registered so far / covered by a finished flush. */
  private registered = 0;
  private flushed = 0;
  private running: Promise<void> | null = null;

  private constructor(private readonly walFile: string) {}

  /** A flusher for this database, or null when its commits cannot be flushed this way (not WAL, in memory). */
  static forDatabase(db: SqliteDatabase): WalFlusher | null {
    if (db.memory || !db.name) return null;
    const mode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
    return mode === 'wal' ? new WalFlusher(`${db.name}-wal`) : null;
  }

  /** Resolves when every commit made before this call is on disk. Call right after the commit. */
  async flush(): Promise<void> {
    this.registered += 1;
    const mine = this.registered;
    while (this.flushed < mine) {
      if (this.running) {
        // A flush that started before this commit may not cover it: wait for it, then look again.
        await this.running.catch(() => {});
        continue;
      }
      const covers = this.registered;
      this.running = syncFile(this.walFile).finally(() => {
        this.running = null;
      });
      await this.running;
      this.flushed = Math.max(this.flushed, covers);
    }
  }
}

async function syncFile(file: string): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    // Opened for writing: Windows flushes a file only through a handle with write access.
    handle = await fs.promises.open(file, 'r+');
  } catch (error) {
    // No WAL file: the last connection closed, which checkpoints (syncing the database) and removes it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
