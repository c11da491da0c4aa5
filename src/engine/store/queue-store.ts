import { createHash, randomUUID } from 'node:crypto';
import { parseClassId } from '../../shared/class-id.js';
import { StationError } from '../../shared/errors.js';
import { JOB_STATES, type JobState, type JobSummary } from '../../shared/schemas.js';
import { AuditLog, type AuditVerification } from './audit.js';
import { newImageKey, openImage, sealImage } from './image-seal.js';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { type SqliteDatabase, mapSqliteError } from './database.js';
import type { KeyProvider } from './keys.js';
import { openQueueDatabase } from './queue-db.js';
import type { EnqueueInput, GalleryEntry, JobCounts, JobError, JobPick, JobRecord, Receipt, TemplateSnapshot } from './queue-types.js';
import { SettingsStore } from './settings.js';
import { loadSiteConfig, type SiteConfig } from './site-file.js';
import { WalFlusher } from './wal-flush.js';

const DAY_MS = 86_400_000;
/** Synced jobs whose left-over image rows are deleted together (see QueueStore.reclaimSynced). */
const RECLAIM_BATCH = 16;
/** States in which a job still has to reach the service. */
export const PENDING_STATES = ['queued', 'sending', 'retry_wait', 'ambiguous', 'reconciling'] as const;
/** States in which a send may have left: such a job must be reconciled, never discarded or purged blindly. */
const IN_FLIGHT_STATES = new Set<JobState>(['sending', 'ambiguous', 'reconciling']);
const MAX_IMAGES = 20;
const MAX_NAME = 260;
const MAX_NOTE = 1000;

interface JobRow {
  id: string;
  seq: number;
  class_id: string;
  state: JobState;
  attempts: number;
  next_attempt_at: number | null;
  last_error_code: string | null;
  last_error_message: string | null;
  reference: string | null;
  server_job_id: string | null;
  performed_action: string | null;
  before_recorded: number;
  before_available: number | null;
  before_feature_vectors: number | null;
  before_enrolled: string | null;
  before_at: number | null;
  sent_at: number | null;
  send_deadline_ms: number | null;
  image_count: number;
  note: string | null;
  created_at: number;
  updated_at: number;
  synced_at: number | null;
}

/** What the scheduler's walk reads of a job. */
type PickRow = Pick<JobRow, 'id' | 'class_id' | 'state' | 'next_attempt_at'>;

/** The sync engine's last pause of the whole queue, as recorded in the queue (`at`: ISO time). */
export interface SyncPauseRecord {
  code: string;
  message: string;
  at: string;
}

export interface QueueStoreOptions {
  /** Milliseconds since the epoch; injectable for retention tests. */
  now?: () => number;
  /** The administrator's site file; by default read from its OS location (or STATION_SITE_FILE). */
  site?: SiteConfig | null;
}

export interface OpenQueueStoreOptions extends QueueStoreOptions {
  dataDir: string;
  keyProvider: KeyProvider;
  create: boolean;
  integrityCheck?: 'full' | 'quick' | 'none';
  /** See openQueueDatabase: start an empty queue although the folder had one (audited). */
  newQueue?: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The encrypted offline queue: jobs with their images, analysis and embeddings, receipts after sync and the
 * audit log, behind one interface. Every write that belongs together is one IMMEDIATE transaction (a second
 * process writing the same folder waits instead of interleaving); every SQLite failure becomes a StationError
 * (DISK_FULL, DB_LOCKED, ...). Image bytes are read one job at a time, never for the whole queue.
 */
export class QueueStore {
  readonly settings: SettingsStore;
  readonly audit: AuditLog;
  private readonly now: () => number;

  constructor(readonly db: SqliteDatabase, options: QueueStoreOptions = {}) {
    this.settings = new SettingsStore(db, options.site !== undefined ? options.site : loadSiteConfig());
    this.audit = new AuditLog(db);
    this.now = options.now ?? Date.now;
    this.walFlusher = WalFlusher.forDatabase(db);
  }

  /** Flushes the WAL off the event loop for the marks that must be durable before a send (null: FULL commits). */
  private readonly walFlusher: WalFlusher | null;

  /**
   * Runs `work` with a per-connection switch (`synchronous`, `secure_delete`) set, and puts the connection's
   * default back after. Through exec, not db.pragma(): that builds a statement object each time (SQLite applies
   * these pragmas while a statement is prepared, so one cannot be kept), about 9 us against 2 us, and the sync
   * engine switches four times per job.
   */
  private withSwitch<T>(setting: 'synchronous = NORMAL' | 'secure_delete = FAST', work: () => T): T {
    this.db.exec(`PRAGMA ${setting}`);
    try {
      return work();
    } finally {
      this.db.exec(setting.startsWith('synchronous') ? 'PRAGMA synchronous = FULL' : 'PRAGMA secure_delete = ON');
    }
  }

  /**
   * Runs deletes of sealed images whose key is already destroyed: their pages are freed without being zeroed
   * (secure_delete FAST), since nobody can read them; the connection's default (ON) zeroes everything else.
   */
  private withoutZeroing<T>(remove: () => T): T {
    return this.withSwitch('secure_delete = FAST', remove);
  }

  /** Runs a write whose commit skips its own fsync (synchronous NORMAL); the connection's default is FULL. */
  private withoutFsync<T>(write: () => T): T {
    return this.withSwitch('synchronous = NORMAL', write);
  }

  /** Opens the queue database of a data folder (see openQueueDatabase) and wraps it. */
  static async open(options: OpenQueueStoreOptions): Promise<QueueStore> {
    const db = await openQueueDatabase(options);
    return new QueueStore(db, options);
  }

  close(): void {
    if (this.db.open && this.unreclaimed.length > 0) {
      try {
        this.reclaimSynced();
      } catch {
        // left for the sync engine's sweep at its next start
      }
    }
    this.walFlusher?.close();
    if (this.db.open) this.db.close();
  }

  /** A random id of this data folder, used in Reference-Number headers. Created on first use. */
  stationId(): string {
    return this.guard('read the station id', () => {
      const row = this.sql("SELECT value FROM meta WHERE name = 'station_id'").get() as { value: string } | undefined;
      if (row) return row.value;
      const id = randomUUID().slice(0, 8);
      this.sql("INSERT OR IGNORE INTO meta (name, value) VALUES ('station_id', ?)").run(id);
      return (this.sql("SELECT value FROM meta WHERE name = 'station_id'").get() as { value: string }).value;
    });
  }

  /**
   * Why the sync engine paused the whole queue (rejected credentials, wrong host, bad configuration), kept in
   * the queue so that `station doctor` and a later run can tell; null once a sync got through again.
   */
  syncPause(): SyncPauseRecord | null {
    return this.guard('read the sync pause', () => {
      const row = this.sql("SELECT value FROM meta WHERE name = 'sync_paused'").get() as { value: string } | undefined;
      if (!row) return null;
      try {
        const parsed = JSON.parse(row.value) as Partial<SyncPauseRecord>;
        if (typeof parsed.code === 'string' && typeof parsed.message === 'string' && typeof parsed.at === 'string') return { code: parsed.code, message: parsed.message, at: parsed.at };
      } catch {
        // an unreadable record says nothing: treat it as no pause
      }
      return null;
    });
  }

  recordSyncPause(reason: { code: string; message: string } | null, now = this.now()): void {
    this.guard('record the sync pause', () => {
      if (reason) this.sql("INSERT INTO meta (name, value) VALUES ('sync_paused', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(JSON.stringify({ code: reason.code, message: reason.message, at: new Date(now).toISOString() }));
      else this.sql("DELETE FROM meta WHERE name = 'sync_paused'").run();
    });
  }

  // ---------------------------------------------------------------- enrollment side

  /** Queues one enrollment (images, analysis, embeddings, source hashes, audit entry) in one transaction. */
  enqueue(input: EnqueueInput): string {
    const classId = parseClassId(input.classId);
    if (input.images.length === 0) throw new StationError('NO_ACCEPTABLE_IMAGE', 'A job needs at least one image.');
    if (input.images.length > MAX_IMAGES) throw new StationError('USAGE', `A job holds at most ${MAX_IMAGES} images; split the enrollment.`);
    for (const image of input.images) {
      if (image.bytes.byteLength === 0) throw new StationError('IMAGE_EMPTY', `The image ${image.name} is empty.`);
      if (image.name.length > MAX_NAME) throw new StationError('USAGE', `The image name ${image.name.slice(0, 40)}... is longer than ${MAX_NAME} characters.`);
      if (image.sourceSha256 && !/^[0-9a-f]{64}$/.test(image.sourceSha256)) throw new StationError('USAGE', 'sourceSha256 must be 64 lowercase hex digits.');
    }
    const note = input.note ? input.note.slice(0, MAX_NOTE) : null;
    const id = randomUUID();
    const now = this.now();
    const imageKey = newImageKey();
    this.guard('queue the enrollment', () =>
      this.db.transaction(() => {
        const seq = (this.sql('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM jobs').get() as { next: number }).next;
        this
          .sql('INSERT INTO jobs (id, seq, class_id, state, image_count, note, created_at, updated_at, image_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(id, seq, classId, 'queued', input.images.length, note, now, now, imageKey);
        const insertImage = this.sql('INSERT INTO images (job_id, position, name, bytes, sha256, source_sha256) VALUES (?, ?, ?, ?, ?, ?)');
        const insertAnalysis = this.sql('INSERT INTO analysis (job_id, position, summary) VALUES (?, ?, ?)');
        const insertSource = this.sql('INSERT OR IGNORE INTO source_hashes (sha256, job_id, added_at) VALUES (?, ?, ?)');
        input.images.forEach((image, position) => {
          const bytes = Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength);
          insertImage.run(id, position, image.name, sealImage(imageKey, id, position, bytes), sha256(bytes), image.sourceSha256 ?? null);
          if (image.analysis !== undefined) insertAnalysis.run(id, position, typeof image.analysis === 'string' ? image.analysis : JSON.stringify(image.analysis));
          if (image.sourceSha256) insertSource.run(image.sourceSha256, id, now);
        });
        const insertEmbedding = this.sql('INSERT INTO embeddings (job_id, position, class_id, vector) VALUES (?, ?, ?, ?)');
        (input.embeddings ?? []).forEach((vector, position) => {
          insertEmbedding.run(id, position, classId, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
        });
        this.audit.append('enqueued', id, { classId, images: input.images.length }, new Date(now));
      }).immediate(),
    );
    return id;
  }

  hasSourceHash(sha: string): boolean {
    return this.guard('read source hashes', () => this.sql('SELECT 1 FROM source_hashes WHERE sha256 = ?').get(sha) !== undefined);
  }

  /**
   * Where a source file (by its sha256) is already queued: for this class id, and under which other class id.
   * A file queued under two class ids (the second with --force) is found for both: the hash table keeps the
   * first job, the images of the second (unsynced) job still name the file.
   */
  sourceFileQueued(sha: string, classId: string): { thisClass: boolean; otherClass: string | null } {
    return this.guard('read source hashes', () => {
      const owner = this.sql('SELECT j.class_id FROM source_hashes s JOIN jobs j ON j.id = s.job_id WHERE s.sha256 = ?').pluck().get(sha) as string | undefined;
      if (owner === undefined || owner === classId) return { thisClass: owner === classId, otherClass: null };
      const forcedHere = this.sql(`SELECT 1 FROM jobs j JOIN images i ON i.job_id = j.id WHERE j.class_id = ? AND j.state NOT IN ('discarded', 'synced') AND i.source_sha256 = ? LIMIT 1`).get(classId, sha);
      return { thisClass: forcedHere !== undefined, otherClass: owner };
    });
  }

  knownSourceHashes(): Set<string> {
    return this.guard('read source hashes', () => new Set((this.sql('SELECT sha256 FROM source_hashes').pluck().all() as string[])));
  }

  /**
   * Embeddings of queued jobs and of jobs synced within the retention window, with their class ids: the
   * gallery for the duplicate-face check. Vectors are copied out of SQLite's buffers.
   */
  galleryEmbeddings(): GalleryEntry[] {
    const since = this.now() - this.settings.get('embeddingRetentionDays') * DAY_MS;
    return this.guard('read embeddings', () => {
      const rows = this.db
        .prepare(`SELECT e.job_id, e.class_id, e.vector, j.state FROM embeddings e JOIN jobs j ON j.id = e.job_id
                  WHERE j.state NOT IN ('discarded') AND (j.state <> 'synced' OR j.synced_at >= ?) ORDER BY j.seq, e.position`)
        .all(since) as Array<{ job_id: string; class_id: string; vector: Buffer; state: JobState }>;
      return rows.map((row) => ({
        jobId: row.job_id,
        classId: row.class_id,
        synced: row.state === 'synced',
        embedding: new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength)),
      }));
    });
  }

  // ---------------------------------------------------------------- operator side

  listJobs(filter: { state?: JobState; classId?: string; limit?: number; offset?: number } = {}): JobSummary[] {
    const limit = Math.max(1, Math.min(filter.limit ?? 1000, 100_000));
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state) {
      where.push('state = ?');
      args.push(filter.state);
    }
    if (filter.classId) {
      where.push('class_id = ?');
      args.push(parseClassId(filter.classId));
    }
    const sql = `SELECT *, ${IS_UPDATE} AS is_update FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ? OFFSET ?`;
    return this.guard('list jobs', () => (this.sql(sql).all(...args, limit, filter.offset ?? 0) as JobRow[]).map(toSummary));
  }

  /** Whether an enrollment of this class id has already been synced from this station (more images are an update). */
  classSynced(classId: string): boolean {
    return this.guard('read the receipts', () => this.sql('SELECT 1 FROM receipts WHERE class_id = ? LIMIT 1').get(parseClassId(classId)) !== undefined);
  }

  /** Class ids this station has synced at least once, oldest first (a bulk template upgrade asks for each). */
  syncedClassIds(): string[] {
    return this.guard('read the receipts', () => (this.sql('SELECT class_id FROM receipts GROUP BY class_id ORDER BY MIN(synced_at), class_id').all() as Array<{ class_id: string }>).map((row) => row.class_id));
  }

  getJob(id: string): JobRecord | null {
    return this.guard('read the job', () => {
      const row = this.sql('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
      return row ? toRecord(row) : null;
    });
  }

  counts(): JobCounts {
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as JobCounts;
    this.guard('count jobs', () => {
      // Kept by triggers (migration 4): one row per state, however many jobs the queue has seen.
      for (const row of this.sql('SELECT state, n FROM job_counts').all() as Array<{ state: JobState; n: number }>) {
        counts[row.state] = row.n;
      }
    });
    return counts;
  }

  getReceipt(jobId: string): Receipt | null {
    return this.guard('read the receipt', () => {
      const row = this.sql('SELECT * FROM receipts WHERE job_id = ?').get(jobId) as Record<string, unknown> | undefined;
      if (!row) return null;
      return {
        jobId: row.job_id as string,
        classId: row.class_id as string,
        serverJobId: row.server_job_id as string | null,
        performedAction: row.performed_action as string | null,
        reference: row.reference as string | null,
        queuedAt: iso(row.queued_at as number),
        syncedAt: iso(row.synced_at as number),
        imageCount: row.image_count as number,
        imageSha256: JSON.parse(row.image_hashes as string) as string[],
        note: row.note as string | null,
      };
    });
  }

  /**
   * Puts needs_attention (and retry_wait) jobs back in the queue now. The recorded template status of a job
   * that needed attention is dropped (other jobs of the class may have landed since), and so is the status
   * recorded with an earlier send of the waiting jobs of its class (the retried job lands before them).
   * retry_wait jobs keep theirs: they are still the oldest of their class.
   */
  retry(id: string | 'all'): number {
    const now = this.now();
    return this.guard('retry', () =>
      this.db.transaction(() => {
        const rows = (id === 'all'
          ? this.sql("SELECT id, state FROM jobs WHERE state IN ('needs_attention', 'retry_wait')").all()
          : this.sql('SELECT id, state FROM jobs WHERE id = ?').all(id)) as Array<{ id: string; state: JobState }>;
        if (id !== 'all' && rows.length === 0) throw new StationError('JOB_NOT_FOUND', `There is no job ${id}.`);
        let changed = 0;
        for (const row of rows) {
          if (row.state !== 'needs_attention' && row.state !== 'retry_wait') {
            if (id !== 'all') throw new StationError('USAGE', `Job ${row.id} is ${row.state}; only jobs that need attention or wait for a retry can be retried.`);
            continue;
          }
          const resetBefore = row.state === 'needs_attention' ? ', before_recorded = 0' : '';
          this.sql(`UPDATE jobs SET state = 'queued', next_attempt_at = NULL, updated_at = ?${resetBefore} WHERE id = ?`).run(now, row.id);
          // The retried job may now go before later jobs of its class whose status was recorded with an earlier
          // send: once it lands those readings are stale, and reconcile against them would take "changed" for
          // "landed". Forget them.
          if (row.state === 'needs_attention') {
            this.sql("UPDATE jobs SET before_recorded = 0 WHERE class_id = (SELECT class_id FROM jobs WHERE id = ?) AND id <> ? AND state IN ('queued', 'retry_wait')").run(row.id, row.id);
          }
          this.audit.append('retried', row.id, { from: row.state }, new Date(now));
          changed += 1;
        }
        return changed;
      }).immediate(),
    );
  }

  /**
   * Deletes an unsynced job's biometric data on an operator's explicit request, keeping the job row (state
   * discarded) and an audit entry with the reason. A job whose send may have landed must be reconciled first.
   */
  discard(id: string, reason: string): void {
    const text = reason.trim();
    if (text.length < 3) throw new StationError('USAGE', 'Give a reason (at least 3 characters) for discarding a job; it goes into the audit log.');
    const now = this.now();
    this.guard('discard the job', () =>
      this.db.transaction(() => {
        const row = this.sql('SELECT state FROM jobs WHERE id = ?').get(id) as { state: JobState } | undefined;
        if (!row) throw new StationError('JOB_NOT_FOUND', `There is no job ${id}.`);
        if (row.state === 'synced' || row.state === 'discarded') throw new StationError('USAGE', `Job ${id} is already ${row.state}.`);
        if (IN_FLIGHT_STATES.has(row.state)) {
          throw new StationError('USAGE', `Job ${id} may already have reached the service (${row.state}); wait until it is reconciled, then discard it.`);
        }
        this.dropJobData(id, { keepEmbeddings: false });
        this.sql('DELETE FROM source_hashes WHERE job_id = ?').run(id);
        this.sql("UPDATE jobs SET state = 'discarded', next_attempt_at = NULL, note = ?, updated_at = ? WHERE id = ?").run(`discarded: ${text.slice(0, MAX_NOTE)}`, now, id);
        this.audit.append('discarded', id, { from: row.state, reason: text.slice(0, MAX_NOTE) }, new Date(now));
      }).immediate(),
    );
  }

  /**
   * Retention: embeddings of jobs synced longer ago than `embeddingRetentionDays`, and (only when
   * `unsyncedRetentionDays` > 0, an administrator's explicit choice) unsynced jobs older than that.
   */
  purge(now = this.now()): { embeddings: number; jobs: number } {
    const keepDays = this.settings.get('embeddingRetentionDays');
    const unsyncedDays = this.settings.get('unsyncedRetentionDays');
    return this.guard('purge old data', () =>
      this.db.transaction(() => {
        const embeddings = this.db
          .prepare("DELETE FROM embeddings WHERE job_id IN (SELECT id FROM jobs WHERE state = 'synced' AND synced_at < ?)")
          .run(now - keepDays * DAY_MS).changes;
        let jobs = 0;
        if (unsyncedDays > 0) {
          const old = this.db
            .prepare("SELECT id, state FROM jobs WHERE state IN ('queued', 'retry_wait', 'needs_attention', 'paused') AND created_at < ?")
            .all(now - unsyncedDays * DAY_MS) as Array<{ id: string; state: JobState }>;
          for (const row of old) {
            this.dropJobData(row.id, { keepEmbeddings: false });
            this.sql("UPDATE jobs SET state = 'discarded', next_attempt_at = NULL, note = ?, updated_at = ? WHERE id = ?").run(`purged after ${unsyncedDays} days unsynced`, now, row.id);
            this.audit.append('purged', row.id, { from: row.state, unsyncedRetentionDays: unsyncedDays }, new Date(now));
            jobs += 1;
          }
        }
        if (embeddings > 0) this.audit.append('embeddings_purged', null, { count: embeddings, embeddingRetentionDays: keepDays }, new Date(now));
        return { embeddings, jobs };
      }).immediate(),
    );
  }

  verifyAuditChain(): AuditVerification {
    return this.guard('verify the audit log', () => this.audit.verify());
  }

  // ---------------------------------------------------------------- sync side

  /** After a crash: a job caught mid-send may have landed, so it is reconciled before anything else. */
  recoverInterrupted(): number {
    const now = this.now();
    return this.guard('recover interrupted jobs', () =>
      this.db.transaction(() => {
        const rows = this.sql("SELECT id, state FROM jobs WHERE state IN ('sending', 'reconciling')").all() as Array<{ id: string; state: JobState }>;
        for (const row of rows) {
          this.sql("UPDATE jobs SET state = 'ambiguous', next_attempt_at = ?, updated_at = ? WHERE id = ?").run(now, now, row.id);
          this.audit.append('interrupted', row.id, { from: row.state }, new Date(now));
        }
        return rows.length;
      }).immediate(),
    );
  }

  /**
   * Jobs the scheduler may start now: for every class only its oldest unfinished job (order is kept per
   * class), and only if it is due and its class is not busy. Walks the pending index in order and stops early.
   * Only what the walk reads (id, class, state): the scheduler picks several times per job and mostly finds the
   * jobs it already prepared, so it reads whole records (`getJob`) only for the jobs it acts on.
   */
  pickCandidates(now: number, busyClasses: ReadonlySet<string>, limit: number): JobPick[] {
    return this.guard('pick jobs to send', () => {
      const seen = new Set<string>();
      const picked: JobPick[] = [];
      // A job whose send may have landed goes before everything else of its class, even an older job an operator
      // put back with `retry`: its reconcile compares the template with the status before that send, so nothing
      // else of the class may land in between (it would be taken for this job's enrollment). Few such rows.
      const unresolved = new Map<string, PickRow>();
      for (const row of this.sql(`SELECT id, class_id, state, next_attempt_at FROM jobs WHERE state IN ('sending', 'ambiguous', 'reconciling') ORDER BY seq`).all() as PickRow[]) {
        if (!unresolved.has(row.class_id)) unresolved.set(row.class_id, row);
      }
      // INDEXED BY the partial index of unfinished jobs, which is already in seq order: left to itself the
      // planner picks jobs_by_state and sorts every pending row before handing out the first, so each pick
      // cost grew with the queue (O(n) per pick, O(n^2) per drain); this way the walk stops after a few rows.
      // The walk reads four columns per row (a whole row costs several times more; the walk passes the busy
      // classes' rows too).
      const rows = this.sql(`SELECT id, class_id, state, next_attempt_at FROM jobs INDEXED BY jobs_pending WHERE state IN ('queued', 'sending', 'retry_wait', 'ambiguous', 'reconciling') ORDER BY seq`).iterate() as IterableIterator<PickRow>;
      for (const pending of rows) {
        if (seen.has(pending.class_id)) continue;
        seen.add(pending.class_id);
        const row = unresolved.get(pending.class_id) ?? pending;
        if (busyClasses.has(row.class_id)) continue;
        if (row.next_attempt_at !== null && row.next_attempt_at > now) continue;
        picked.push({ id: row.id, classId: row.class_id, state: row.state });
        // leaving the loop early finalises the statement (for-of calls the iterator's return)
        if (picked.length >= limit) break;
      }
      return picked;
    });
  }

  /** The earliest time a waiting job becomes due (to arm a timer), or null. */
  nextDueAt(): number | null {
    return this.guard('read the schedule', () => {
      const row = this.sql("SELECT MIN(next_attempt_at) AS at FROM jobs WHERE state IN ('retry_wait', 'ambiguous') AND next_attempt_at IS NOT NULL").get() as { at: number | null };
      return row.at;
    });
  }

  /**
   * Jobs that wait for a later time, per state, with the earliest of those times: `ambiguous` jobs wait out an
   * earlier send's deadline before they are reconciled, `retry_wait` jobs their backoff. For `station sync`.
   */
  waitingSchedule(now = this.now()): Array<{ state: 'ambiguous' | 'retry_wait'; jobs: number; nextAt: number }> {
    return this.guard('read the schedule', () =>
      this.sql("SELECT state, COUNT(*) AS jobs, MIN(next_attempt_at) AS nextAt FROM jobs WHERE state IN ('ambiguous', 'retry_wait') AND next_attempt_at > ? GROUP BY state ORDER BY nextAt").all(now) as Array<{ state: 'ambiguous' | 'retry_wait'; jobs: number; nextAt: number }>,
    );
  }

  /** The encoded images of one job, in order (unsealed with the job's image key). */
  loadImages(jobId: string): Buffer[] {
    return this.guard('read the job images', () => {
      const job = this.sql('SELECT image_key, state FROM jobs WHERE id = ?').get(jobId) as { image_key: Buffer | null; state: JobState } | undefined;
      // A synced job's images are gone (their rows may wait for reclaimSynced, unreadable without the key).
      if (!job || job.state === 'synced') return [];
      const key = job.image_key;
      const rows = this.sql('SELECT position, bytes FROM images WHERE job_id = ? ORDER BY position').all(jobId) as Array<{ position: number; bytes: Buffer }>;
      return rows.map((row) => (key ? openImage(key, jobId, row.position, row.bytes) : row.bytes));
    });
  }

  /**
   * Made durable BEFORE the request leaves: if the process dies after this, the job is found in `sending` and
   * reconciled instead of being sent blindly again. `before` is recorded only with the first send.
   * Resolves to false (and changes nothing) unless the job is still waiting in the queue: an operator may have
   * discarded it, or retention purged it, while the engine was reading its template status. It must not be sent.
   * The commit itself is synchronous; the wait for the disk is not (see wal-flush.ts): the promise resolves
   * only once the mark is on disk, while the event loop serves the sends already in flight meanwhile.
   */
  async markSending(id: string, args: { before: TemplateSnapshot | null; beforeAt?: number; reference: string; deadlineMs: number; now: number }): Promise<boolean> {
    // One statement: the state check is its WHERE clause (a job taken out of the queue meanwhile changes
    // nothing), and the status before the send is written with the mark when there is one.
    const sets = "state = 'sending', attempts = attempts + 1, reference = ?, sent_at = ?, send_deadline_ms = ?, next_attempt_at = NULL, updated_at = ?";
    const where = "WHERE id = ? AND state IN ('queued', 'retry_wait')";
    const commit = (): boolean =>
      this.guard('mark the job as sending', () => {
        const { before } = args;
        const changed = before
          ? this
              .sql(`UPDATE jobs SET ${sets}, before_recorded = 1, before_available = ?, before_feature_vectors = ?, before_enrolled = ?, before_at = ? ${where}`)
              .run(args.reference, args.now, args.deadlineMs, args.now, before.available ? 1 : 0, before.featureVectors, before.enrolled, args.beforeAt ?? args.now, id).changes
          : this.sql(`UPDATE jobs SET ${sets} ${where}`).run(args.reference, args.now, args.deadlineMs, args.now, id).changes;
        return changed > 0;
      });
    if (!this.walFlusher) return commit();
    const marked = this.withoutFsync(commit);
    if (!marked) return false;
    try {
      await this.walFlusher.flush();
    } catch (error) {
      throw mapSqliteError(error, 'mark the job as sending (writing it to disk)');
    }
    return true;
  }

  /**
   * Takes back a `sending` mark whose request never left this process (the sync engine staged the job behind
   * the sends in flight, then stopped, paused or waited too long): back to `queued`, the attempt uncounted.
   * No fsync of its own: a power cut that loses it leaves the job in `sending`, reconciled before any re-send.
   * Returns whether the job was still in `sending`.
   */
  unmarkSending(id: string, now: number): boolean {
    return this.withoutFsync(() =>
      this.guard('put the job back in the queue', () =>
        this.sql("UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), next_attempt_at = NULL, updated_at = ? WHERE id = ? AND state = 'sending'").run(now, id).changes > 0,
      ),
    );
  }

  markReconciling(id: string, now: number): void {
    this.setState(id, 'reconciling', { now });
  }

  /** Back to the queue: the last send certainly did not land (reconciled, or refused before processing). */
  markQueued(id: string, now: number, error: JobError | null = null): void {
    this.setState(id, 'queued', { now, error });
  }

  /**
   * `countAttempt`: a call that failed before any Enroll left (a template status read) still counts as a try,
   * so its backoff grows and bounded retries end; an Enroll's try was already counted by markSending.
   */
  markRetryWait(id: string, now: number, nextAttemptAt: number, error: JobError, options: { countAttempt?: boolean } = {}): void {
    this.setState(id, 'retry_wait', { now, nextAttemptAt, error, countAttempt: options.countAttempt ?? false });
  }

  markAmbiguous(id: string, now: number, nextAttemptAt: number, error: JobError, options: { countAttempt?: boolean } = {}): void {
    this.setState(id, 'ambiguous', { now, nextAttemptAt, error, audit: 'ambiguous', countAttempt: options.countAttempt ?? false });
  }

  markNeedsAttention(id: string, now: number, error: JobError, extra: { serverJobId?: string | null; performedAction?: string | null; countAttempt?: boolean } = {}): void {
    this.setState(id, 'needs_attention', { now, error, audit: 'needs_attention', ...extra });
  }

  /**
   * A confirmed sync: the receipt is written, the images and analysis are deleted, the embeddings too unless
   * the retention window keeps them. One transaction.
   */
  markSynced(id: string, result: { now: number; serverJobId: string | null; performedAction: string | null; note?: string | null }): void {
    const keepEmbeddings = this.settings.get('embeddingRetentionDays') > 0;
    // This commit skips its own fsync (synchronous NORMAL; the next FULL commit or checkpoint flushes it): if a
    // power cut loses it, the job is found in `sending` and reconciled as landed. Nothing is sent twice, and
    // the drain does one fsync per job instead of two. Enqueue stays fully synchronous; markSending is made
    // durable before it resolves.
    this.withoutFsync(() => this.markSyncedTransaction(id, result, keepEmbeddings));
  }

  private markSyncedTransaction(id: string, result: { now: number; serverJobId: string | null; performedAction: string | null; note?: string | null }, keepEmbeddings: boolean): void {
    // Whether this job's write also deletes the rows the last synced jobs left (one batch per RECLAIM_BATCH jobs).
    const batch = this.unreclaimed.length + 1 >= RECLAIM_BATCH ? [...this.unreclaimed] : [];
    const keyed = this.guard('record the sync', () =>
      this.db.transaction(() => {
        const row = this.sql('SELECT class_id, reference, created_at, image_count, note, attempts, image_key IS NOT NULL AS keyed FROM jobs WHERE id = ?').get(id) as (Pick<JobRow, 'class_id' | 'reference' | 'created_at' | 'image_count' | 'note' | 'attempts'> & { keyed: number }) | undefined;
        if (!row) throw new StationError('JOB_NOT_FOUND', `There is no job ${id}.`);
        const hashes = this.sql('SELECT sha256 FROM images WHERE job_id = ? ORDER BY position').pluck().all(id) as string[];
        const note = result.note ?? row.note;
        this
          .sql('INSERT OR REPLACE INTO receipts (job_id, class_id, server_job_id, performed_action, reference, queued_at, synced_at, image_count, image_hashes, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(id, row.class_id, result.serverJobId, result.performedAction, row.reference, row.created_at, result.now, row.image_count, JSON.stringify(hashes), result.note ?? null);
        // The image key is destroyed here (image_key = NULL below; secure_delete overwrites its old cell): from
        // this commit on the sealed images cannot be read by anyone. Their rows and the analysis rows are
        // deleted later, RECLAIM_BATCH jobs at a time (see reclaimSynced). Images stored before per-job keys
        // are zeroed now, as before.
        if (!row.keyed) this.dropJobData(id, { keepEmbeddings });
        else if (!keepEmbeddings) this.sql('DELETE FROM embeddings WHERE job_id = ?').run(id);
        this
          .sql("UPDATE jobs SET state = 'synced', image_key = NULL, server_job_id = ?, performed_action = ?, note = ?, synced_at = ?, updated_at = ?, next_attempt_at = NULL, last_error_code = NULL, last_error_message = NULL WHERE id = ?")
          .run(result.serverJobId, result.performedAction, note, result.now, result.now, id);
        this.audit.append('synced', id, { classId: row.class_id, serverJobId: result.serverJobId, action: result.performedAction, attempts: row.attempts, ...(result.note ? { note: result.note } : {}) }, new Date(result.now));
        if (row.keyed && batch.length > 0) this.deleteSyncedRows([...batch, id]);
        return row.keyed === 1;
      }).immediate(),
    );
    // Only after the commit: an id in this list is certainly synced with its key destroyed.
    if (!keyed) return;
    if (batch.length > 0) this.unreclaimed.splice(0, batch.length);
    else this.unreclaimed.push(id);
  }

  /**
   * Deletes the image and analysis rows that synced jobs left behind (their images already unreadable, see
   * markSynced): those of this process's last syncs and, with `sweep`, those of a process that ended before
   * deleting them (a crash or power cut; the sync engine sweeps when it starts). Returns the jobs cleaned.
   * The commit skips its own fsync: rows a power cut brings back are swept again.
   */
  reclaimSynced(options: { sweep?: boolean } = {}): number {
    const ids = new Set(this.unreclaimed);
    if (options.sweep) {
      const left = this.guard('find synced jobs to clean up', () => this.sql("SELECT DISTINCT i.job_id FROM images i JOIN jobs j ON j.id = i.job_id WHERE j.state = 'synced' AND j.image_key IS NULL").pluck().all() as string[]);
      for (const id of left) ids.add(id);
    }
    if (ids.size === 0) return 0;
    const count = this.unreclaimed.length;
    this.withoutFsync(() => this.guard('clean up synced jobs', () => this.db.transaction(() => this.deleteSyncedRows([...ids])).immediate()));
    this.unreclaimed.splice(0, count);
    return ids.size;
  }

  /** Synced jobs (key destroyed) whose image and analysis rows are still to be deleted, oldest first. */
  private readonly unreclaimed: string[] = [];

  private deleteSyncedRows(ids: string[]): void {
    // Each delete names the job's state and missing key itself, so it can never touch a job still to be sent.
    const synced = "EXISTS (SELECT 1 FROM jobs WHERE id = ? AND state = 'synced' AND image_key IS NULL)";
    this.withoutZeroing(() => {
      for (const id of ids) this.sql(`DELETE FROM images WHERE job_id = ? AND ${synced}`).run(id, id);
    });
    for (const id of ids) this.sql(`DELETE FROM analysis WHERE job_id = ? AND ${synced}`).run(id, id);
  }

  // ---------------------------------------------------------------- internals

  private setState(
    id: string,
    state: JobState,
    args: { now: number; nextAttemptAt?: number | null; error?: JobError | null; audit?: string; serverJobId?: string | null; performedAction?: string | null; countAttempt?: boolean },
  ): void {
    this.guard(`mark the job as ${state}`, () =>
      this.db.transaction(() => {
        const sets = ['state = ?', 'next_attempt_at = ?', 'updated_at = ?'];
        if (args.countAttempt) sets.push('attempts = attempts + 1');
        const values: unknown[] = [state, args.nextAttemptAt ?? null, args.now];
        if (args.error !== undefined) {
          sets.push('last_error_code = ?', 'last_error_message = ?');
          values.push(args.error?.code ?? null, args.error?.message ?? null);
        }
        if (args.serverJobId !== undefined) {
          sets.push('server_job_id = ?');
          values.push(args.serverJobId);
        }
        if (args.performedAction !== undefined) {
          sets.push('performed_action = ?');
          values.push(args.performedAction);
        }
        const changed = this.sql(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id).changes;
        if (changed === 0) throw new StationError('JOB_NOT_FOUND', `There is no job ${id}.`);
        if (args.audit) this.audit.append(args.audit, id, args.error ? { code: args.error.code, message: args.error.message } : {}, new Date(args.now));
      }).immediate(),
    );
  }

  private dropJobData(id: string, options: { keepEmbeddings: boolean }): void {
    // Destroying the image key makes the sealed images unreadable (secure_delete overwrites the key's old
    // cell), so their pages need no zeroing: they are freed in FAST mode. Images stored before per-job keys
    // (no key) are zeroed as before.
    const keyed = this.sql('UPDATE jobs SET image_key = NULL WHERE id = ? AND image_key IS NOT NULL').run(id).changes > 0;
    const deleteImages = () => this.sql('DELETE FROM images WHERE job_id = ?').run(id);
    if (keyed) this.withoutZeroing(deleteImages);
    else deleteImages();
    this.sql('DELETE FROM analysis WHERE job_id = ?').run(id);
    if (!options.keepEmbeddings) this.sql('DELETE FROM embeddings WHERE job_id = ?').run(id);
  }

  /**
   * Prepared statements are kept per SQL text: preparing costs more than running most of these statements
   * (SQLCipher reads the schema pages), and the sync engine runs the same few per job. Pluck mode is reset on
   * every hand-out, so a caller that wants it asks with `.pluck()` each time.
   */
  private readonly statements = new Map<string, Statement>();

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= 128) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    if (statement.reader) statement.pluck(false);
    return statement;
  }

  private guard<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw mapSqliteError(error, doing);
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A job is an update when an earlier enrollment of its class id was synced before it was queued. */
const IS_UPDATE = 'EXISTS (SELECT 1 FROM receipts r WHERE r.class_id = jobs.class_id AND r.job_id <> jobs.id AND r.synced_at <= jobs.created_at)';

function toSummary(row: JobRow & { is_update?: number }): JobSummary {
  return {
    update: Boolean(row.is_update),
    id: row.id,
    classId: row.class_id,
    state: row.state,
    attempts: row.attempts,
    imageCount: row.image_count,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    nextAttemptAt: row.next_attempt_at === null ? null : iso(row.next_attempt_at),
    lastError: row.last_error_code ? { code: row.last_error_code, message: row.last_error_message ?? '' } : null,
    serverJobId: row.server_job_id,
    performedAction: row.performed_action,
    note: row.note,
  };
}

function toRecord(row: JobRow): JobRecord {
  return {
    ...toSummary(row),
    seq: row.seq,
    reference: row.reference,
    before: row.before_recorded
      ? { available: row.before_available === 1, featureVectors: row.before_feature_vectors ?? 0, enrolled: row.before_enrolled }
      : null,
    beforeAt: row.before_at,
    sentAt: row.sent_at,
    sendDeadlineMs: row.send_deadline_ms,
  };
}
