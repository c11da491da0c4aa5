import { type Hash, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { StationError } from '../../shared/errors.js';

export type SqliteDatabase = Database.Database;

/** One numbered, forward-only schema step. `user_version` records the last one applied. */
export interface Migration {
  version: number;
  description: string;
  up: (db: SqliteDatabase) => void;
}

export interface OpenOptions {
  /** The database file. */
  file: string;
  /** 32-byte key; the whole file (and its WAL) is encrypted with SQLCipher's scheme. */
  key: Buffer;
  /** Create the file if it does not exist. An existing file is never recreated, truncated or overwritten. */
  create: boolean;
  migrations: readonly Migration[];
  /** Where a damaged file is copied before the error is reported. */
  quarantineDir?: string;
  /** Run the full `PRAGMA integrity_check` (default) or the faster `quick_check`. */
  integrityCheck?: 'full' | 'quick' | 'none';
  /** True when the caller already knows the key is right (a key check value matched): a NOTADB then means damage. */
  keyVerified?: boolean;
}

/**
 * Opens (or creates) an encrypted SQLite database. Order matters: key first, then a read that proves the key,
 * then the integrity check, then WAL and the other pragmas, then migrations in one transaction each.
 */
export function openEncryptedDatabase(options: OpenOptions): SqliteDatabase {
  const exists = fs.existsSync(options.file);
  if (!exists && !options.create) {
    throw new StationError('DATA_DIR', `The database ${options.file} does not exist.`);
  }
  if (exists && fs.statSync(options.file).size === 0 && hasNoSidecars(options.file) && !options.create) {
    throw new StationError('DB_CORRUPT', `The database ${options.file} is empty (0 bytes).`);
  }
  if (!exists) fs.mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });

  let db: SqliteDatabase;
  try {
    db = new Database(options.file, { fileMustExist: exists });
  } catch (error) {
    throw mapSqliteError(error, `open ${options.file}`);
  }
  try {
    applyKey(db, options.key);
    proveKey(db, options);
    if (exists) checkIntegrity(db, options);
    db.pragma('journal_mode = WAL');
    // FULL: a committed enrollment survives a power cut, not only a process crash.
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!exists) fs.chmodSync(options.file, 0o600);
    migrate(db, options.migrations);
    return db;
  } catch (error) {
    db.close();
    throw error instanceof StationError ? error : mapSqliteError(error, `open ${options.file}`);
  }
}

/**
 * Whether a key decrypts an existing database, tried read-only: nothing is written to the file or beside it
 * (a wrong key cannot even read the header that would make SQLite create its WAL index).
 */
export function databaseOpensWith(file: string, key: Buffer): boolean {
  let db: SqliteDatabase | null = null;
  try {
    db = new Database(file, { fileMustExist: true, readonly: true });
    applyKey(db, key);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') return false;
    throw mapSqliteError(error, `read ${file}`);
  } finally {
    db?.close();
  }
}

function hasNoSidecars(file: string): boolean {
  return !fs.existsSync(`${file}-wal`) && !fs.existsSync(`${file}-journal`);
}

function applyKey(db: SqliteDatabase, key: Buffer): void {
  if (key.length !== 32) throw new StationError('KEY_INVALID', 'The database key must be 32 bytes.');
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
  // A raw key (x'..') skips SQLCipher's own PBKDF2: the key is already random or scrypt-derived.
  db.pragma(`key = "x'${key.toString('hex')}'"`);
}

function proveKey(db: SqliteDatabase, options: OpenOptions): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') {
      if (options.keyVerified) quarantineAndThrow(options, 'its pages cannot be decrypted although the key is right');
      throw new StationError('KEY_WRONG', `The key does not open ${options.file} (or the file is not a station database). Nothing was changed.`);
    }
    throw mapSqliteError(error, `read ${options.file}`);
  }
}

function checkIntegrity(db: SqliteDatabase, options: OpenOptions): void {
  const mode = options.integrityCheck ?? 'full';
  if (mode === 'none') return;
  let rows: Array<Record<string, string>>;
  try {
    rows = db.pragma(mode === 'full' ? 'integrity_check' : 'quick_check') as Array<Record<string, string>>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') quarantineAndThrow(options, (error as Error).message);
    throw mapSqliteError(error, `check ${options.file}`);
  }
  const problems = rows.map((row) => Object.values(row)[0]).filter((value) => value !== 'ok');
  if (problems.length > 0) quarantineAndThrow(options, problems.slice(0, 3).join('; '));
}

/**
 * Copies the damaged file (and its WAL) aside and reports it. The original stays where it is. One copy per
 * distinct content: the copy is named by the sha256 of the file and its WAL, so opening the same damaged
 * database again (a retry loop, an operator trying a few times) does not fill the disk with identical copies.
 */
function quarantineAndThrow(options: OpenOptions, reason: string): never {
  let keptAt = '';
  if (options.quarantineDir) {
    try {
      const wal = `${options.file}-wal`;
      const hasWal = fs.existsSync(wal);
      const digest = createHash('sha256');
      hashFileInto(digest, options.file);
      if (hasWal) hashFileInto(digest, wal);
      const target = path.join(options.quarantineDir, `${path.basename(options.file)}.${digest.digest('hex').slice(0, 16)}`);
      if (fs.existsSync(target)) {
        keptAt = ` A copy of it is already kept at ${target}.`;
      } else {
        fs.mkdirSync(options.quarantineDir, { recursive: true, mode: 0o700 });
        // Copied under a temporary name and renamed, so a copy interrupted half-way is never taken as complete.
        const partial = `${target}.partial-${process.pid}`;
        if (hasWal) fs.copyFileSync(wal, `${target}-wal`);
        fs.copyFileSync(options.file, partial);
        fs.renameSync(partial, target);
        keptAt = ` A copy was kept at ${target}.`;
      }
    } catch {
      keptAt = '';
    }
  }
  throw new StationError(
    'DB_CORRUPT',
    `The database ${options.file} is damaged (${reason}). It was left in place and not replaced.${keptAt} Restore it from a backup, or move it away to start an empty queue.`,
  );
}

/** Hashes a file in 1 MB steps (a damaged queue may be large; it is never read whole into memory). */
function hashFileInto(digest: Hash, file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let read = fs.readSync(fd, chunk); read > 0; read = fs.readSync(fd, chunk)) digest.update(chunk.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
}

export function migrate(db: SqliteDatabase, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const latest = sorted.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StationError('DB_CORRUPT', `The database was written by a newer station (schema ${current}, this one knows ${latest}). Update the station; the file was not changed.`);
  }
  for (const migration of sorted) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

/** Maps SQLite failures to coded errors a person can act on. */
export function mapSqliteError(error: unknown, doing: string): StationError {
  if (error instanceof StationError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (code === 'SQLITE_FULL' || /EFBIG|ENOSPC|database or disk is full/i.test(message) || code === 'SQLITE_IOERR_WRITE') {
    return new StationError('DISK_FULL', `The disk is full (could not ${doing}). Nothing already queued was lost; free some space and try again.`, { cause: error });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new StationError('DB_LOCKED', `The database is busy in another process (could not ${doing}). Try again in a moment.`, { cause: error });
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new StationError('DB_CORRUPT', `The database is damaged (could not ${doing}): ${message}`, { cause: error });
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) {
    return new StationError('DATA_DIR', `Cannot ${doing}: ${message}. Check the data folder's permissions.`, { cause: error });
  }
  return new StationError('INTERNAL', `Could not ${doing}: ${message}`, { cause: error });
}
