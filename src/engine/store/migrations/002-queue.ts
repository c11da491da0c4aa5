import type { SqliteDatabase } from '../database.js';

/**
 * Jobs, their images and analysis, embeddings for the duplicate check, source-file hashes, receipts and the
 * hash-chained audit log. Times are integer milliseconds since the epoch (cheap comparisons for the
 * scheduler); the API turns them into ISO strings.
 */
export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE meta (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      -- enqueue order: jobs of one class are sent in this order
      seq INTEGER NOT NULL UNIQUE,
      class_id TEXT NOT NULL,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER,
      last_error_code TEXT,
      last_error_message TEXT,
      reference TEXT,
      server_job_id TEXT,
      performed_action TEXT,
      -- template status seen before the first send (reconcile compares against it)
      before_recorded INTEGER NOT NULL DEFAULT 0,
      before_available INTEGER,
      before_feature_vectors INTEGER,
      before_enrolled TEXT,
      before_at INTEGER,
      -- the last send: when it left and its deadline (an ambiguous send may land until then)
      sent_at INTEGER,
      send_deadline_ms INTEGER,
      image_count INTEGER NOT NULL,
      note TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      synced_at INTEGER
    ) STRICT;
    CREATE INDEX jobs_by_state ON jobs(state, seq);
    CREATE INDEX jobs_by_class ON jobs(class_id, seq);
    -- the scheduler walks only unfinished jobs
    CREATE INDEX jobs_pending ON jobs(seq)
      WHERE state IN ('queued', 'sending', 'retry_wait', 'ambiguous', 'reconciling');

    CREATE TABLE images (
      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      name TEXT NOT NULL,
      bytes BLOB NOT NULL,
      sha256 TEXT NOT NULL,
      source_sha256 TEXT,
      PRIMARY KEY (job_id, position)
    ) STRICT;

    CREATE TABLE analysis (
      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      summary TEXT NOT NULL,
      PRIMARY KEY (job_id, position)
    ) STRICT;

    CREATE TABLE embeddings (
      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      class_id TEXT NOT NULL,
      vector BLOB NOT NULL,
      PRIMARY KEY (job_id, position)
    ) STRICT;

    CREATE TABLE source_hashes (
      sha256 TEXT PRIMARY KEY,
      job_id TEXT NOT NULL,
      added_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE receipts (
      job_id TEXT PRIMARY KEY,
      class_id TEXT NOT NULL,
      server_job_id TEXT,
      performed_action TEXT,
      reference TEXT,
      queued_at INTEGER NOT NULL,
      synced_at INTEGER NOT NULL,
      image_count INTEGER NOT NULL,
      image_hashes TEXT NOT NULL,
      note TEXT
    ) STRICT;

    CREATE TABLE audit (
      seq INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      event TEXT NOT NULL,
      job_id TEXT,
      detail TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    ) STRICT;
    -- append-only: rows can be added, never changed or removed through SQL
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `);
}
