import fs from 'node:fs';
import path from 'node:path';
import { redactUrlCredentials } from '../shared/redact.js';

/**
 * The station's log files, in the data folder's logs/ (one file per process kind: engine, app), rotated by
 * size: `engine.log` grows to `maxBytes`, then becomes `engine.1.log` (the older ones shift up, the oldest is
 * dropped), so a station that runs for months keeps at most `files` x `maxBytes` per kind.
 *
 * What is logged is operational only: job ids, states, error codes, counts, setting names. Every line also
 * goes through redactLogText, which masks what looks like a key, a token or a class id, in case a message
 * (say, an error from a library) carries one. Images and embeddings are never passed to a logger.
 */
export interface LogLimits {
  maxBytes: number;
  files: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxBytes: 1_000_000, files: 5 };

export function logsDir(dataDir: string): string {
  return path.join(dataDir, 'logs');
}

/** A credential-shaped run: long, and mixing upper case, lower case and digits (base64 keys, JWT parts). */
function looksLikeSecret(run: string): boolean {
  return run.length >= 32 && /[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run);
}

/**
 * Masks URL user info (user:password@), JWTs, key-like base64 runs and digit runs of 6 or more (class ids are int64 numbers; counts, ports
 * and times in log lines are shorter or formatted). Applied to every log line and to every text in a support
 * bundle.
 */
export function redactLogText(text: string, options: { numbers?: boolean } = {}): string {
  const masked = redactUrlCredentials(text).replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<token>').replace(/[A-Za-z0-9+/_-]{32,}={0,2}/g, (run) => (looksLikeSecret(run) ? '<secret>' : run));
  return options.numbers === false ? masked : masked.replace(/(?<![\w.:-])\d{6,}(?![\w.:-])/g, '<number>');
}

export class RotatingLog {
  constructor(
    readonly file: string,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
  ) {}

  write(level: 'info' | 'warn' | 'error', message: string): void {
    const line = `${new Date().toISOString()} ${level} ${redactLogText(message).replace(/\s*\n\s*/g, ' ')}\n`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      let size = 0;
      try {
        size = fs.statSync(this.file).size;
      } catch {
        // no file yet
      }
      if (size > 0 && size + Buffer.byteLength(line) > this.limits.maxBytes) this.rotate();
      fs.appendFileSync(this.file, line, { mode: 0o600 });
    } catch {
      // A full disk or a read-only folder must not stop enrollment: the log is a help, not a duty.
    }
  }

  info(message: string): void {
    this.write('info', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  error(message: string): void {
    this.write('error', message);
  }

  /** Every file of this log, newest first. */
  files(): string[] {
    return Array.from({ length: this.limits.files }, (_, index) => this.numbered(index)).filter((file) => fs.existsSync(file));
  }

  private numbered(index: number): string {
    if (index === 0) return this.file;
    const extension = path.extname(this.file);
    return `${this.file.slice(0, -extension.length)}.${index}${extension}`;
  }

  private rotate(): void {
    fs.rmSync(this.numbered(this.limits.files - 1), { force: true });
    for (let index = this.limits.files - 2; index >= 0; index -= 1) {
      if (fs.existsSync(this.numbered(index))) fs.renameSync(this.numbered(index), this.numbered(index + 1));
    }
  }
}

/** The log of one process kind in a data folder: `engine` (the engine, in the app or the CLI) or `app` (main). */
export function openLog(dataDir: string, name: 'engine' | 'app', limits: LogLimits = DEFAULT_LOG_LIMITS): RotatingLog {
  return new RotatingLog(path.join(logsDir(dataDir), `${name}.log`), limits);
}
