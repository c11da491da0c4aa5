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
 * A database not in WAL mode (or without a file) gets a FULL commit instead (see QueueStore.markSending).
 *
 * The WAL file is opened once and kept open (an open and a close per flush cost more main-thread time than the
 * flush's own bookkeeping). SQLite keeps one WAL file for as long as a connection is open (it rewinds and
 * overwrites it, and deletes it only when the last connection closes); still, each flush checks that the path
 * names the file it holds open (two stat calls of a cached inode) and opens it again if not.
 */
export class WalFlusher {
  /** Commits registered so far / covered by a finished flush. */
  private registered = 0;
  private flushed = 0;
  private running: Promise<void> | null = null;
  private wal: { fd: number; ino: number } | null = null;
  private closed = false;

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
      this.running = this.syncWal().finally(() => {
        this.running = null;
      });
      await this.running;
      this.flushed = Math.max(this.flushed, covers);
    }
  }

  /** Closes the WAL file (after a flush under way); call when the database closes. */
  close(): void {
    this.closed = true;
    const wal = this.wal;
    this.wal = null;
    if (!wal) return;
    const closeFile = () => {
      try {
        fs.closeSync(wal.fd);
      } catch {
        // nothing left to flush through it
      }
    };
    if (this.running) void this.running.catch(() => {}).finally(closeFile);
    else closeFile();
  }

  private async syncWal(): Promise<void> {
    // Closed: the connection's close checkpointed the WAL into the database and synced it.
    if (this.closed) return;
    const fd = this.openWal();
    // No WAL file: the last connection closed, which checkpoints (syncing the database) and removes it.
    if (fd === null) return;
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  }

  /** The open WAL file, opened (again) when the path names another file than the one held open. */
  private openWal(): number | null {
    let ino: number;
    try {
      ino = fs.statSync(this.walFile).ino;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    if (this.wal?.ino === ino && fs.fstatSync(this.wal.fd).ino === ino) return this.wal.fd;
    if (this.wal) fs.closeSync(this.wal.fd);
    this.wal = null;
    // Opened for writing: Windows flushes a file only through a handle with write access.
    const fd = fs.openSync(this.walFile, 'r+');
    this.wal = { fd, ino: fs.fstatSync(fd).ino };
    return fd;
  }
}
