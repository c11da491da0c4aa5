import type { SqliteDatabase } from '../database.js';

/**
 * Per-job image keys (see image-seal.ts). Jobs queued before this step keep NULL: their images stay as they
 * were stored and are deleted by zeroing, as before.
 */
export function up(db: SqliteDatabase): void {
  db.exec('ALTER TABLE jobs ADD COLUMN image_key BLOB');
}
