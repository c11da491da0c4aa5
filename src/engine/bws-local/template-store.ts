import path from 'node:path';
import { type Migration, type SqliteDatabase, openEncryptedDatabase } from '../store/database.js';

/**
 * The local BWS service's templates: its OWN encrypted SQLite file (never the queue database), with its own
 * migrations. A template is a class id with tags and one row per enrolled image (its feature vector and PNG
 * face thumbnail; both null in store-only mode, where only the count matters).
 */
export const LOCAL_BWS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'templates and their feature vectors',
    up: (db) =>
      db.exec(`
        CREATE TABLE templates (
          class_id TEXT PRIMARY KEY,
          created_at TEXT NOT NULL,
          enrolled_at TEXT NOT NULL,
          encoder_version INTEGER NOT NULL,
          tags TEXT NOT NULL DEFAULT '[]'
        ) STRICT;
        CREATE TABLE feature_vectors (
          id INTEGER PRIMARY KEY,
          class_id TEXT NOT NULL REFERENCES templates(class_id) ON DELETE CASCADE,
          enrolled_at TEXT NOT NULL,
          vector BLOB,
          thumbnail BLOB
        ) STRICT;
        CREATE INDEX feature_vectors_by_class ON feature_vectors(class_id);
      `),
  },
];

export const TEMPLATES_FILE = 'templates.db';

export interface TemplateRecord {
  classId: string;
  createdAt: string;
  enrolledAt: string;
  encoderVersion: number;
  tags: string[];
  featureVectors: number;
  thumbnailsStored: number;
}

export interface NewFeature {
  vector: Float32Array | null;
  thumbnail: Buffer | null;
}

export class TemplateStore {
  readonly db: SqliteDatabase;

  constructor(dataDir: string, key: Buffer) {
    this.db = openEncryptedDatabase({ file: path.join(dataDir, TEMPLATES_FILE), key, create: true, migrations: LOCAL_BWS_MIGRATIONS, quarantineDir: path.join(dataDir, 'quarantine'), integrityCheck: 'quick' });
  }

  get(classId: string): TemplateRecord | null {
    const row = this.db
      .prepare(
        `SELECT t.class_id, t.created_at, t.enrolled_at, t.encoder_version, t.tags,
                (SELECT count(*) FROM feature_vectors f WHERE f.class_id = t.class_id) AS vectors,
                (SELECT count(*) FROM feature_vectors f WHERE f.class_id = t.class_id AND f.thumbnail IS NOT NULL) AS thumbnails
           FROM templates t WHERE t.class_id = ?`,
      )
      .get(classId) as { class_id: string; created_at: string; enrolled_at: string; encoder_version: number; tags: string; vectors: number; thumbnails: number } | undefined;
    if (!row) return null;
    return { classId: row.class_id, createdAt: row.created_at, enrolledAt: row.enrolled_at, encoderVersion: row.encoder_version, tags: JSON.parse(row.tags) as string[], featureVectors: row.vectors, thumbnailsStored: row.thumbnails };
  }

  /** Adds features to a template (creating it): one transaction, so concurrent enrollments add up. */
  addFeatures(classId: string, features: NewFeature[], encoderVersion: number, now = new Date().toISOString()): { created: boolean } {
    return this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM templates WHERE class_id = ?').get(classId) !== undefined;
      if (exists) this.db.prepare('UPDATE templates SET enrolled_at = ?, encoder_version = ? WHERE class_id = ?').run(now, encoderVersion, classId);
      else this.db.prepare('INSERT INTO templates (class_id, created_at, enrolled_at, encoder_version) VALUES (?, ?, ?, ?)').run(classId, now, now, encoderVersion);
      const insert = this.db.prepare('INSERT INTO feature_vectors (class_id, enrolled_at, vector, thumbnail) VALUES (?, ?, ?, ?)');
      for (const feature of features) {
        insert.run(classId, now, feature.vector ? Buffer.from(feature.vector.buffer, feature.vector.byteOffset, feature.vector.byteLength) : null, feature.thumbnail);
      }
      return { created: !exists };
    })();
  }

  delete(classId: string): boolean {
    return this.db.prepare('DELETE FROM templates WHERE class_id = ?').run(classId).changes > 0;
  }

  setTags(classId: string, tags: string[]): boolean {
    return this.db.prepare('UPDATE templates SET tags = ? WHERE class_id = ?').run(JSON.stringify([...new Set(tags)]), classId).changes > 0;
  }

  thumbnails(classId: string): Array<{ enrolledAt: string; image: Buffer }> {
    const rows = this.db.prepare('SELECT enrolled_at, thumbnail FROM feature_vectors WHERE class_id = ? AND thumbnail IS NOT NULL ORDER BY id').all(classId) as Array<{ enrolled_at: string; thumbnail: Buffer }>;
    return rows.map((row) => ({ enrolledAt: row.enrolled_at, image: row.thumbnail }));
  }

  /** Feature vectors per template (only those that have any), optionally only templates with any of `tags`. */
  vectors(filter: { classId?: string; tags?: string[] } = {}): Map<string, Float32Array[]> {
    const rows = (
      filter.classId
        ? this.db.prepare('SELECT f.class_id, f.vector, t.tags FROM feature_vectors f JOIN templates t USING (class_id) WHERE f.vector IS NOT NULL AND f.class_id = ?').all(filter.classId)
        : this.db.prepare('SELECT f.class_id, f.vector, t.tags FROM feature_vectors f JOIN templates t USING (class_id) WHERE f.vector IS NOT NULL').all()
    ) as Array<{ class_id: string; vector: Buffer; tags: string }>;
    const wanted = filter.tags && filter.tags.length > 0 ? new Set(filter.tags) : null;
    const out = new Map<string, Float32Array[]>();
    for (const row of rows) {
      if (wanted && !(JSON.parse(row.tags) as string[]).some((tag) => wanted.has(tag))) continue;
      const copy = new Uint8Array(row.vector);
      const vector = new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
      const list = out.get(row.class_id) ?? [];
      list.push(vector);
      out.set(row.class_id, list);
    }
    return out;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
