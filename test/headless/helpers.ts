import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stationBin } from '../helpers/paths.js';

export interface StationRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A headless key for test data folders (the CLI would otherwise create a key file and warn). */
export function testDbKey(): string {
  return randomBytes(32).toString('base64');
}

/** Runs the compiled `station` CLI the way a user does (`npx station ...`), with no terminal attached. */
export function station(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<StationRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [stationBin, ...args], {
      env: { ...process.env, NO_COLOR: '1', BWS_ENDPOINT: '', BWS_CLIENT_ID: '', BWS_KEY: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A `station` command left running (`sync --watch`), with its output so far and a way to wait for a line. */
export interface RunningStation {
  child: ChildProcessWithoutNullStreams;
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code and signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Resolves as soon as stderr matches (checked on every chunk, no polling interval), with false if the process
   * ends first or `guardMs` passes (a hang guard, not a timing expectation).
   */
  waitForStderr(pattern: RegExp, guardMs?: number): Promise<boolean>;
}

/** Starts the compiled `station` CLI like `station(...)` does, but returns at once so the test can watch and signal it. */
export function startStation(args: string[], env: NodeJS.ProcessEnv = {}): RunningStation {
  const child = spawn(process.execPath, [stationBin, ...args], {
    env: { ...process.env, NO_COLOR: '1', BWS_ENDPOINT: '', BWS_CLIENT_ID: '', BWS_KEY: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitForStderr(pattern, guardMs = 120_000) {
      if (pattern.test(stderr)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const finish = (matched: boolean) => {
          clearTimeout(guard);
          child.stderr.off('data', onData);
          resolve(matched);
        };
        const onData = () => {
          if (pattern.test(stderr)) finish(true);
        };
        const guard = setTimeout(() => finish(false), guardMs);
        // Registered after the accumulating listener, so `stderr` already holds the chunk when this runs.
        child.stderr.on('data', onData);
        void exited.then(() => finish(pattern.test(stderr)));
      });
    },
  };
}

/** Replaces what changes from run to run (ids, times, temp paths) so human output can be snapshotted. */
export function normalize(text: string, replacements: Record<string, string> = {}): string {
  let out = text;
  for (const [from, to] of Object.entries(replacements)) out = out.split(from).join(to);
  return out
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/^[0-9a-f]{8}(?=\s)/gm, 'JOB-ID--')
    .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+Z)?/g, 'YYYY-MM-DD hh:mm:ss')
    .replace(/similarity \d\.\d\d/g, 'similarity <score>')
    .replace(/match at -?\d\.\d\d/g, 'match at <score>');
}
