import type { SqliteDatabase } from '../database.js';

/**
 * Jobs per state, kept by triggers in the same transaction as every change of `jobs`, so the count the UI
 * shows after each job is one row per state instead of a scan of every job ever queued (synced jobs stay as
 * rows). Triggers rather than bookkeeping in code: every writer (another station process, a future statement)
 * keeps the counts right without knowing about them. Filled from the jobs already there.
 */
export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE job_counts (
      state TEXT PRIMARY KEY,
      n INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    INSERT INTO job_counts (state, n) SELECT state, COUNT(*) FROM jobs GROUP BY state;

    CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
      INSERT INTO job_counts (state, n) VALUES (NEW.state, 1) ON CONFLICT(state) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
      UPDATE job_counts SET n = n - 1 WHERE state = OLD.state;
    END;
    CREATE TRIGGER job_counts_update AFTER UPDATE OF state ON jobs WHEN NEW.state IS NOT OLD.state BEGIN
      UPDATE job_counts SET n = n - 1 WHERE state = OLD.state;
      INSERT INTO job_counts (state, n) VALUES (NEW.state, 1) ON CONFLICT(state) DO UPDATE SET n = n + 1;
    END;
  `);
}
