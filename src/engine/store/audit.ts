import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { SqliteDatabase } from './database.js';

/**
 * The append-only audit log. Each row's hash covers its own fields and the previous row's hash, so editing,
 * inserting or removing a row breaks the chain from that row on. Triggers refuse UPDATE and DELETE; the chain
 * catches what goes around them (a raw edit of the file by someone who holds the key). The head (last seq and
 * hash) is also kept in `meta`, so cutting rows off the end is noticed too.
 * Entries never hold images, embeddings or secrets.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: string;
  event: string;
  jobId: string | null;
  detail: Record<string, unknown>;
}

export type AuditVerification =
  | { ok: true; rows: number }
  | { ok: false; rows: number; firstBadSeq: number; reason: string };

interface AuditRow {
  seq: number;
  at: string;
  event: string;
  job_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The hash of one row: its own fields and the previous row's hash (exported for the tamper tests). */
export function auditRowHash(seq: number, prevHash: string, at: string, event: string, jobId: string | null, detail: string): string {
  return createHash('sha256').update(JSON.stringify([seq, prevHash, at, event, jobId, detail])).digest('hex');
}

export class AuditLog {
  /** Prepared once: append runs inside every state change of the sync engine. */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: SqliteDatabase) {}

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Appends one entry. Call inside the caller's (immediate) transaction so the chain cannot fork. */
  append(event: string, jobId: string | null, detail: Record<string, unknown>, at = new Date()): void {
    const last = this.sql('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const seq = (last?.seq ?? 0) + 1;
    const prev = last?.hash ?? GENESIS_HASH;
    const when = at.toISOString();
    const text = JSON.stringify(detail);
    const hash = auditRowHash(seq, prev, when, event, jobId, text);
    this.sql('INSERT INTO audit (seq, at, event, job_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)').run(seq, when, event, jobId, text, prev, hash);
    this.sql("INSERT INTO meta (name, value) VALUES ('audit_head', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value").run(`${seq}:${hash}`);
  }

  /** Walks the whole chain (row by row, constant memory) and reports the first row that does not fit. */
  verify(): AuditVerification {
    let expectedPrev = GENESIS_HASH;
    let expectedSeq = 1;
    let rows = 0;
    for (const row of this.sql('SELECT * FROM audit ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
      rows += 1;
      if (row.seq !== expectedSeq) return { ok: false, rows, firstBadSeq: expectedSeq, reason: `row ${expectedSeq} is missing` };
      if (row.prev_hash !== expectedPrev) return { ok: false, rows, firstBadSeq: row.seq, reason: 'its link to the previous row does not match' };
      if (auditRowHash(row.seq, row.prev_hash, row.at, row.event, row.job_id, row.detail) !== row.hash) {
        return { ok: false, rows, firstBadSeq: row.seq, reason: 'its content was changed after it was written' };
      }
      expectedPrev = row.hash;
      expectedSeq += 1;
    }
    const head = this.sql("SELECT value FROM meta WHERE name = 'audit_head'").get() as { value: string } | undefined;
    if (head && head.value !== `${expectedSeq - 1}:${expectedPrev}`) {
      const headSeq = Number(head.value.split(':')[0]);
      return { ok: false, rows, firstBadSeq: Math.min(headSeq, expectedSeq), reason: 'rows at the end of the log were removed' };
    }
    return { ok: true, rows };
  }

  /** Newest first; for `station audit` and the UI. */
  recent(limit = 100): AuditEntry[] {
    const rows = this.sql('SELECT * FROM audit ORDER BY seq DESC LIMIT ?').all(limit) as AuditRow[];
    return rows.map((row) => ({ seq: row.seq, at: row.at, event: row.event, jobId: row.job_id, detail: JSON.parse(row.detail) as Record<string, unknown> }));
  }
}
