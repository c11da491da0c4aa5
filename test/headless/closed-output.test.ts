import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stationBin, tempDir } from '../helpers/paths.js';
import { testDbKey } from './helpers.js';

/** Runs the CLI with one of its output pipes closed by the reader before anything is written (`| head -0`). */
function runWithClosed(closed: 'stdout' | 'stderr', args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [stationBin, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child[closed].destroy();
    let other = '';
    child[closed === 'stdout' ? 'stderr' : 'stdout'].on('data', (chunk) => (other += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, other }));
  });
}

describe('a reader that goes away', () => {
  it('ends the command quietly with its usual exit code when stdout is closed', async () => {
    const root = tempDir('station-pipe-');
    const env = { STATION_DB_KEY: testDbKey() };
    const listed = await runWithClosed('stdout', ['--data-dir', path.join(root, 'data'), 'config', 'get'], env);
    expect(listed).toEqual({ code: 0, other: '' });
    // A refused enrollment keeps its exit code 1 (an empty file is refused before any analysis).
    fs.writeFileSync(path.join(root, 'empty.jpg'), '');
    const refused = await runWithClosed('stdout', ['--data-dir', path.join(root, 'data'), 'enroll', '--class-id', '7', path.join(root, 'empty.jpg')], env);
    expect(refused).toEqual({ code: 1, other: '' });
  });

  it('ends the command quietly when stderr is closed', async () => {
    const root = tempDir('station-pipe-');
    // No STATION_DB_KEY: a key file is created, with a warning on stderr.
    const run = await runWithClosed('stderr', ['--data-dir', path.join(root, 'data'), 'config', 'set', 'sync-concurrency', '1'], { STATION_DB_KEY: '', STATION_DB_PASSPHRASE: '' });
    expect(run).toEqual({ code: 0, other: 'sync-concurrency = 1\n' });
  });
});
