import path from 'node:path';
import { type Migration, type SqliteDatabase, openEncryptedDatabase } from '../store/database.js';
import { type TemplateSpace, formatBcid } from './bcid.js';
import { compactTemplate } from './matching.js';
import { Sealer } from './sealing.js';

/**
 * The local BWS service's templates, in its OWN encrypted SQLite file (never the queue database). Like BWS it
 * keeps two forms of each template, keyed by the full BCID (`<storage>/<partition>/<classId>`):
 *  - the ENHANCED template: one row per enrolled image with its feature vector, its enrollment time and (in
 *    "full" mode) the PNG face thumbnail that makes a later encoder upgrade possible. Always sealed (AES-GCM,
 *    see sealing.ts), on top of the file's own encryption.
 *  - the COMPACT template: what Verify and Search compare with (matching.ts). Sealed too when the service is
 *    configured with `compactEncryption`; otherwise kept plain in the (still whole-file encrypted) database
 *    and in an in-memory index, which spares Search a decryption per template.
 * In store-only mode (benchmarks) rows carry no data: only the counts matter.
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
  {
    version: 2,
    description: 'templates keyed by BCID; sealed enhanced features; compact templates',
    // Version-1 rows move to legacy tables; TemplateStore seals them into the new form on open (it holds the key).
    up: (db) =>
      db.exec(`
        ALTER TABLE templates RENAME TO legacy_templates;
        ALTER TABLE feature_vectors RENAME TO legacy_feature_vectors;
        CREATE TABLE bws_templates (
          bcid TEXT PRIMARY KEY,
          storage TEXT NOT NULL,
          partition_id INTEGER NOT NULL,
          class_id TEXT NOT NULL,
          created_at TEXT NOT NULL,
          enrolled_at TEXT NOT NULL,
          encoder_version INTEGER NOT NULL,
          tags TEXT NOT NULL DEFAULT '[]'
        ) STRICT;
        CREATE INDEX bws_templates_by_space ON bws_templates(storage, partition_id);
        CREATE TABLE enhanced_features (
          id INTEGER PRIMARY KEY,
          bcid TEXT NOT NULL REFERENCES bws_templates(bcid) ON DELETE CASCADE,
          has_thumbnail INTEGER NOT NULL,
          sealed BLOB
        ) STRICT;
        CREATE INDEX enhanced_features_by_bcid ON enhanced_features(bcid);
        CREATE TABLE compact_templates (
          bcid TEXT PRIMARY KEY REFERENCES bws_templates(bcid) ON DELETE CASCADE,
          sealed INTEGER NOT NULL,
          dims INTEGER NOT NULL,
          data BLOB NOT NULL
        ) STRICT;
      `),
  },
];

export const TEMPLATES_FILE = 'templates.db';

export interface TemplateRecord {
  bcid: string;
  classId: string;
  createdAt: string;
  enrolledAt: string;
  encoderVersion: number;
  tags: string[];
  featureVectors: number;
  thumbnailsStored: number;
}

/** One enrolled image of the enhanced template. */
export interface EnhancedFeature {
  enrolledAt: string;
  vector: Float32Array | null;
  thumbnail: Buffer | null;
}

export interface NewFeature {
  vector: Float32Array | null;
  thumbnail: Buffer | null;
}

export interface TemplateStoreOptions extends TemplateSpace {
  /** Seal the compact templates too (slower Search); default false: a plain in-memory index. */
  compactEncryption?: boolean;
}

interface TemplateRow {
  bcid: string;
  class_id: string;
  created_at: string;
  enrolled_at: string;
  encoder_version: number;
  tags: string;
  vectors: number;
  thumbnails: number;
}

export class TemplateStore {
  readonly db: SqliteDatabase;
  readonly space: TemplateSpace;
  readonly compactEncryption: boolean;
  readonly #enhanced: Sealer;
  readonly #compact: Sealer;
  /** classId -> compact vectors, for this storage and partition (plain mode only). */
  readonly #index = new Map<string, Float32Array[]>();

  constructor(dataDir: string, key: Buffer, options: TemplateStoreOptions) {
    this.space = { storage: options.storage, partition: options.partition };
    this.compactEncryption = options.compactEncryption ?? false;
    this.#enhanced = new Sealer(key, 'enhanced templates v1');
    this.#compact = new Sealer(key, 'compact templates v1');
    this.db = openEncryptedDatabase({ file: path.join(dataDir, TEMPLATES_FILE), key, create: true, migrations: LOCAL_BWS_MIGRATIONS, quarantineDir: path.join(dataDir, 'quarantine'), integrityCheck: 'quick' });
    try {
      this.#convertLegacy();
      this.#loadCompact();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  bcid(classId: string): string {
    return formatBcid(this.space, classId);
  }

  get(classId: string): TemplateRecord | null {
    const row = this.db
      .prepare(
        `SELECT t.bcid, t.class_id, t.created_at, t.enrolled_at, t.encoder_version, t.tags,
                (SELECT count(*) FROM enhanced_features f WHERE f.bcid = t.bcid) AS vectors,
                (SELECT count(*) FROM enhanced_features f WHERE f.bcid = t.bcid AND f.has_thumbnail = 1) AS thumbnails
           FROM bws_templates t WHERE t.bcid = ?`,
      )
      .get(this.bcid(classId)) as TemplateRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Every template of this storage and partition (admin listings, bulk upgrades). */
  list(): TemplateRecord[] {
    const rows = this.db
      .prepare(
        `SELECT t.bcid, t.class_id, t.created_at, t.enrolled_at, t.encoder_version, t.tags,
                (SELECT count(*) FROM enhanced_features f WHERE f.bcid = t.bcid) AS vectors,
                (SELECT count(*) FROM enhanced_features f WHERE f.bcid = t.bcid AND f.has_thumbnail = 1) AS thumbnails
           FROM bws_templates t WHERE t.storage = ? AND t.partition_id = ? ORDER BY t.created_at, t.bcid`,
      )
      .all(this.space.storage, this.space.partition) as TemplateRow[];
    return rows.map(toRecord);
  }

  /** The enhanced template, unsealed, in enrollment order. */
  features(classId: string): EnhancedFeature[] {
    const bcid = this.bcid(classId);
    const rows = this.db.prepare('SELECT sealed FROM enhanced_features WHERE bcid = ? ORDER BY id').all(bcid) as Array<{ sealed: Buffer | null }>;
    return rows.map((row) => (row.sealed ? decodeFeature(this.#enhanced.open(row.sealed, bcid)) : { enrolledAt: '', vector: null, thumbnail: null }));
  }

  /** Adds features to a template (creating it): one transaction, so concurrent enrollments add up. */
  addFeatures(classId: string, features: NewFeature[], encoderVersion: number, now = new Date().toISOString()): { created: boolean } {
    const bcid = this.bcid(classId);
    return this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM bws_templates WHERE bcid = ?').get(bcid) !== undefined;
      if (exists) this.db.prepare('UPDATE bws_templates SET enrolled_at = ?, encoder_version = ? WHERE bcid = ?').run(now, encoderVersion, bcid);
      else this.db.prepare('INSERT INTO bws_templates (bcid, storage, partition_id, class_id, created_at, enrolled_at, encoder_version) VALUES (?, ?, ?, ?, ?, ?, ?)').run(bcid, this.space.storage, this.space.partition, classId, now, now, encoderVersion);
      this.#insertFeatures(bcid, features.map((feature) => ({ ...feature, enrolledAt: now })));
      this.#writeCompact(classId);
      return { created: !exists };
    })();
  }

  /**
   * Replaces every feature of a template with recomputed ones (an encoder upgrade: same count, same order,
   * same enrollment times), plus `added` new ones enrolled now, under the new encoder version.
   */
  replaceFeatures(classId: string, recomputed: EnhancedFeature[], added: NewFeature[], encoderVersion: number, now = new Date().toISOString()): void {
    const bcid = this.bcid(classId);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM enhanced_features WHERE bcid = ?').run(bcid);
      this.db.prepare('UPDATE bws_templates SET enrolled_at = ?, encoder_version = ? WHERE bcid = ?').run(now, encoderVersion, bcid);
      this.#insertFeatures(bcid, [...recomputed, ...added.map((feature) => ({ ...feature, enrolledAt: now }))]);
      this.#writeCompact(classId);
    })();
  }

  /** Deletes the template: its enhanced features (vectors, thumbnails), compact template and tags. */
  delete(classId: string): boolean {
    const bcid = this.bcid(classId);
    const deleted = this.db.transaction(() => {
      this.db.prepare('DELETE FROM enhanced_features WHERE bcid = ?').run(bcid);
      this.db.prepare('DELETE FROM compact_templates WHERE bcid = ?').run(bcid);
      return this.db.prepare('DELETE FROM bws_templates WHERE bcid = ?').run(bcid).changes > 0;
    })();
    this.#index.delete(classId);
    return deleted;
  }

  setTags(classId: string, tags: string[]): boolean {
    return this.db.prepare('UPDATE bws_templates SET tags = ? WHERE bcid = ?').run(JSON.stringify([...new Set(tags)]), this.bcid(classId)).changes > 0;
  }

  /** The stored face thumbnails in enrollment order, with their enrollment times. */
  thumbnails(classId: string): Array<{ enrolledAt: string; image: Buffer }> {
    return this.features(classId).flatMap((feature) => (feature.thumbnail ? [{ enrolledAt: feature.enrolledAt, image: feature.thumbnail }] : []));
  }

  /**
   * The compact templates Verify and Search compare with: one class, or every template of this storage and
   * partition (optionally only those with any of `tags`).
   */
  compact(filter: { classId?: string; tags?: string[] } = {}): Map<string, Float32Array[]> {
    const { storage, partition } = this.space;
    const rows = (
      filter.classId
        ? this.db.prepare('SELECT t.class_id, t.tags FROM bws_templates t WHERE t.bcid = ?').all(this.bcid(filter.classId))
        : this.db.prepare('SELECT t.class_id, t.tags FROM bws_templates t WHERE t.storage = ? AND t.partition_id = ?').all(storage, partition)
    ) as Array<{ class_id: string; tags: string }>;
    const wanted = filter.tags && filter.tags.length > 0 ? new Set(filter.tags) : null;
    const out = new Map<string, Float32Array[]>();
    for (const row of rows) {
      if (wanted && !(JSON.parse(row.tags) as string[]).some((tag) => wanted.has(tag))) continue;
      const vectors = this.compactEncryption ? this.#readCompact(row.class_id) : this.#index.get(row.class_id);
      if (vectors && vectors.length > 0) out.set(row.class_id, vectors);
    }
    return out;
  }

  close(): void {
    this.#index.clear();
    if (this.db.open) this.db.close();
  }

  #insertFeatures(bcid: string, features: EnhancedFeature[]): void {
    const insert = this.db.prepare('INSERT INTO enhanced_features (bcid, has_thumbnail, sealed) VALUES (?, ?, ?)');
    for (const feature of features) {
      const empty = !feature.vector && !feature.thumbnail;
      insert.run(bcid, feature.thumbnail ? 1 : 0, empty ? null : this.#enhanced.seal(encodeFeature(feature), bcid));
    }
  }

  /** Recomputes and stores the compact template from the enhanced one (inside the caller's transaction). */
  #writeCompact(classId: string): void {
    const bcid = this.bcid(classId);
    const vectors = compactTemplate(this.features(classId).flatMap((feature) => (feature.vector ? [feature.vector] : [])));
    if (vectors.length === 0) {
      this.db.prepare('DELETE FROM compact_templates WHERE bcid = ?').run(bcid);
      this.#index.delete(classId);
      return;
    }
    const plain = concatVectors(vectors);
    const data = this.compactEncryption ? this.#compact.seal(plain, bcid) : plain;
    this.db
      .prepare('INSERT INTO compact_templates (bcid, sealed, dims, data) VALUES (?, ?, ?, ?) ON CONFLICT (bcid) DO UPDATE SET sealed = excluded.sealed, dims = excluded.dims, data = excluded.data')
      .run(bcid, this.compactEncryption ? 1 : 0, vectors[0]!.length, data);
    if (this.compactEncryption) this.#index.delete(classId);
    else this.#index.set(classId, vectors);
  }

  #readCompact(classId: string): Float32Array[] {
    const bcid = this.bcid(classId);
    const row = this.db.prepare('SELECT sealed, dims, data FROM compact_templates WHERE bcid = ?').get(bcid) as { sealed: number; dims: number; data: Buffer } | undefined;
    if (!row) return [];
    return splitVectors(row.sealed ? this.#compact.open(row.data, bcid) : row.data, row.dims);
  }

  /**
   * Brings this storage and partition's compact templates to the configured form (sealed or plain) and fills
   * the plain index. A change of the setting between runs re-encodes the rows once.
   */
  #loadCompact(): void {
    const rows = this.db.prepare('SELECT t.class_id, c.sealed FROM compact_templates c JOIN bws_templates t USING (bcid) WHERE t.storage = ? AND t.partition_id = ?').all(this.space.storage, this.space.partition) as Array<{ class_id: string; sealed: number }>;
    this.db.transaction(() => {
      for (const row of rows) {
        if (Boolean(row.sealed) !== this.compactEncryption) this.#writeCompact(row.class_id);
        else if (!this.compactEncryption) this.#index.set(row.class_id, this.#readCompact(row.class_id));
      }
    })();
  }

  /** Version-1 databases (class id keys, unsealed rows): sealed into the default storage and partition `bws/1`. */
  #convertLegacy(): void {
    const legacy = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'legacy_templates'").get();
    if (!legacy) return;
    this.db.transaction(() => {
      const templates = this.db.prepare('SELECT class_id, created_at, enrolled_at, encoder_version, tags FROM legacy_templates').all() as Array<{ class_id: string; created_at: string; enrolled_at: string; encoder_version: number; tags: string }>;
      const space = { storage: 'bws', partition: 1 };
      for (const template of templates) {
        const bcid = formatBcid(space, template.class_id);
        this.db.prepare('INSERT INTO bws_templates (bcid, storage, partition_id, class_id, created_at, enrolled_at, encoder_version, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(bcid, space.storage, space.partition, template.class_id, template.created_at, template.enrolled_at, template.encoder_version, template.tags);
        const rows = this.db.prepare('SELECT enrolled_at, vector, thumbnail FROM legacy_feature_vectors WHERE class_id = ? ORDER BY id').all(template.class_id) as Array<{ enrolled_at: string; vector: Buffer | null; thumbnail: Buffer | null }>;
        this.#insertFeatures(bcid, rows.map((row) => ({ enrolledAt: row.enrolled_at, vector: row.vector ? splitVectors(row.vector, row.vector.length / 4)[0]! : null, thumbnail: row.thumbnail })));
        const vectors = compactTemplate(rows.flatMap((row) => (row.vector ? splitVectors(row.vector, row.vector.length / 4) : [])));
        if (vectors.length > 0) this.db.prepare('INSERT INTO compact_templates (bcid, sealed, dims, data) VALUES (?, 1, ?, ?)').run(bcid, vectors[0]!.length, this.#compact.seal(concatVectors(vectors), bcid));
      }
      this.db.exec('DROP TABLE legacy_feature_vectors; DROP TABLE legacy_templates;');
    })();
  }
}

function toRecord(row: TemplateRow): TemplateRecord {
  return { bcid: row.bcid, classId: row.class_id, createdAt: row.created_at, enrolledAt: row.enrolled_at, encoderVersion: row.encoder_version, tags: JSON.parse(row.tags) as string[], featureVectors: row.vectors, thumbnailsStored: row.thumbnails };
}

/** Enhanced feature layout: u8 format (1) | f64 enrollment time (ms) | u32 floats | float32 vector | PNG thumbnail. */
function encodeFeature(feature: EnhancedFeature): Buffer {
  const floats = feature.vector?.length ?? 0;
  const head = Buffer.alloc(13);
  head.writeUInt8(1, 0);
  head.writeDoubleLE(Date.parse(feature.enrolledAt), 1);
  head.writeUInt32LE(floats, 9);
  return Buffer.concat([head, feature.vector ? concatVectors([feature.vector]) : Buffer.alloc(0), feature.thumbnail ?? Buffer.alloc(0)]);
}

function decodeFeature(data: Buffer): EnhancedFeature {
  const floats = data.readUInt32LE(9);
  const end = 13 + floats * 4;
  return {
    enrolledAt: new Date(data.readDoubleLE(1)).toISOString(),
    vector: floats > 0 ? splitVectors(data.subarray(13, end), floats)[0]! : null,
    thumbnail: data.length > end ? Buffer.from(data.subarray(end)) : null,
  };
}

function concatVectors(vectors: readonly Float32Array[]): Buffer {
  return Buffer.concat(vectors.map((vector) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength)));
}

/** Copies (aligned) float32 vectors of `dims` floats out of a byte buffer. */
function splitVectors(bytes: Uint8Array, dims: number): Float32Array[] {
  if (dims <= 0) return [];
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const out: Float32Array[] = [];
  for (let offset = 0; offset + dims <= all.length; offset += dims) out.push(all.slice(offset, offset + dims));
  return out;
}
