import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** Runs fixtures/sync-runner.mjs (the compiled engine) in a child process and collects its output lines. */
const runner = path.join(import.meta.dirname, 'fixtures', 'sync-runner.mjs');

export interface Child {
  process: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  waitForLine(prefix: string, timeoutMs: number): Promise<boolean>;
}

export function startRunner(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [runner, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffer = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', () => {});
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const listener of listeners) listener();
    resolve(code);
  }));
  return {
    process: child,
    lines,
    exited,
    waitForLine(prefix, timeoutMs) {
      return new Promise((resolve) => {
        const check = () => {
          if (lines.some((line) => line.startsWith(prefix))) return finish(true);
          if (child.exitCode !== null || child.signalCode !== null) return finish(false);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        const finish = (value: boolean) => {
          clearTimeout(timer);
          listeners.delete(check);
          resolve(value);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

