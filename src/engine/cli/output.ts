import type { z } from 'zod';
import { type ErrorInfo, toErrorInfo } from '../../shared/errors.js';
import { redactUrlCredentials } from '../../shared/redact.js';

/**
 * Output rules shared by every command:
 *  - `--json`: exactly one JSON document on stdout; everything meant for people goes to stderr.
 *  - human mode: results on stdout, notes and warnings on stderr; colour only on a terminal (NO_COLOR honoured).
 *  - errors: `{ "error": { "code", "message" } }` in JSON, one sentence otherwise; a stack trace only with --debug.
 */
export class Output {
  readonly colour: boolean;

  constructor(
    readonly json: boolean,
    readonly debug: boolean,
    private readonly stdout: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  ) {
    this.colour = !json && Boolean(stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  }

  /** A result line for people (suppressed in JSON mode, where the document carries it). */
  line(text = ''): void {
    if (this.json) this.stderr.write(`${redactUrlCredentials(text)}\n`);
    else this.stdout.write(`${redactUrlCredentials(text)}\n`);
  }

  /** A note or warning: always stderr, so stdout stays clean for pipes. */
  note(text: string): void {
    this.stderr.write(`${redactUrlCredentials(text)}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.paint('yellow', 'warning:')} ${redactUrlCredentials(text)}\n`);
  }

  /**
   * Prints one JSON document, built through its schema (`src/shared/json-documents.ts`): the value is parsed
   * first, and a key the schema does not know fails as loudly as a missing one, so the printed shape and the
   * documented one cannot drift apart.
   */
  document<S extends z.ZodType>(schema: S, value: z.input<S>): void {
    const parsed = schema.parse(value);
    const unknownKey = firstUnknownKey(value, parsed, '');
    if (unknownKey) throw new Error(`JSON document key ${unknownKey} is not in its schema`);
    this.stdout.write(`${redactUrlCredentials(JSON.stringify(parsed, null, 2))}\n`);
  }

  error(error: unknown): ErrorInfo {
    const info = toErrorInfo(error);
    // The error document ({ error: { code, message } }, errorDocumentSchema) is written directly: every command
    // can fail, and loading the schemas for it would slow every command's start.
    if (this.json) this.stdout.write(`${redactUrlCredentials(JSON.stringify({ error: { code: info.code, message: info.message } }, null, 2))}\n`);
    else this.stderr.write(`${this.paint('red', 'error:')} ${info.message}${info.code === 'INTERNAL' ? '' : ` [${info.code}]`}\n`);
    if (this.debug && error instanceof Error && error.stack) this.stderr.write(`${redactUrlCredentials(error.stack)}\n`);
    return info;
  }

  paint(colour: 'red' | 'green' | 'yellow' | 'dim' | 'bold', text: string): string {
    if (!this.colour) return text;
    const codes = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22] }[colour];
    return `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m`;
  }
}

/**
 * A reader that goes away (`station queue | head -1`, a closed terminal) must not crash the command with an
 * unhandled EPIPE: the rest of that stream's output is dropped and the command ends as it would have, with its
 * usual exit code. Installed once per process, on stdout and stderr (this also covers the progress bar and the
 * sync status line, which write to stderr directly).
 */
export function tolerateClosedOutput(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (CLOSED_READER_CODES.has(error.code ?? '')) return;
      // Anything else on an output stream cannot be reported on that stream either: fail the command quietly.
      process.exitCode = process.exitCode || 1;
    });
  }
}

const guarded = new WeakSet<NodeJS.WritableStream>();
const CLOSED_READER_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END', 'EOF', 'ECONNRESET']);

/** Aligned plain-text table (no box drawing, so it pastes cleanly into tickets and logs). */
export function formatTable(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => String(cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

/** The path of the first key of `given` that the schema's output dropped (zod strips keys it does not know). */
function firstUnknownKey(given: unknown, parsed: unknown, at: string): string | null {
  if (Array.isArray(given) && Array.isArray(parsed)) {
    for (let index = 0; index < given.length; index += 1) {
      const found = firstUnknownKey(given[index], parsed[index], `${at}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (!isPlainObject(given) || !isPlainObject(parsed)) return null;
  for (const [key, item] of Object.entries(given)) {
    if (item === undefined) continue;
    if (!(key in parsed)) return `${at}.${key}`;
    const found = firstUnknownKey(item, parsed[key], `${at}.${key}`);
    if (found) return found;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
