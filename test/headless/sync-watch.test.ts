import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { queueOutputSchema } from '../../src/shared/schemas.js';
import { face, stationBin, tempDir } from '../helpers/paths.js';
import { station, testDbKey } from './helpers.js';

describe('station sync --watch', () => {
  it('keeps syncing new work, and stops cleanly on Ctrl-C (SIGINT) without losing a job', async () => {
    const dataDir = path.join(tempDir('station-watch-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    expect((await station(['--data-dir', dataDir, 'enroll', '--class-id', '11', face('biden.jpg')], env)).code).toBe(0);

    const child = spawn(process.execPath, [stationBin, '--data-dir', dataDir, 'sync', '--watch', '--local'], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const waitFor = async (pattern: RegExp, ms: number) => {
      const deadline = Date.now() + ms;
      while (!pattern.test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stderr).toMatch(pattern);
    };

    await waitFor(/synced 1 \| waiting 0/, 60_000);
    // A second process may still queue work while the watcher runs (it only holds the sync lock).
    const second = await station(['--data-dir', dataDir, 'enroll', '--class-id', '12', face('kit_harington1.jpg')], env);
    expect(second.code, second.stderr).toBe(0);
    await waitFor(/synced 2 \| waiting 0/, 60_000);

    // While the watcher holds the lock, a second syncer is refused with a clear message.
    const rival = await station(['--data-dir', dataDir, 'sync', '--local'], env);
    expect(rival.code).toBe(1);
    expect(rival.stderr).toMatch(/Another process is already syncing/);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/stopping/);
    expect(stdout).toMatch(/Synced 2 job\(s\) now, 2 in all; 0 waiting/);

    const queue = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout));
    expect(queue.jobs.map((job) => [job.classId, job.state]).sort()).toEqual([['11', 'synced'], ['12', 'synced']]);
  });

  it('stopped right after the first send lands, its summary counts what really landed and waits', async () => {
    const root = tempDir('station-watch-');
    const dataDir = path.join(root, 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    // Six classes (one person under several ids, hence --force), queued by one import: one model load.
    const photos = ['obama.jpg', 'obama2.jpg', 'obama3.jpg', 'obama4.jpg', 'obama-1080p.jpg', 'obama-720p.jpg'];
    photos.forEach((photo, index) => {
      fs.mkdirSync(path.join(root, 'batch', String(100 + index)), { recursive: true });
      fs.copyFileSync(face(photo), path.join(root, 'batch', String(100 + index), photo));
    });
    const imported = await station(['--data-dir', dataDir, 'import', '--force', path.join(root, 'batch')], env);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);

    const child = spawn(process.execPath, [stationBin, '--data-dir', dataDir, 'sync', '--watch', '--local'], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Ctrl-C the moment the first job is reported synced: the other sends then in flight finish while stopping.
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (/synced [1-9]/.test(stderr)) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGINT');
    const code = await exited;

    const queue = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout));
    const synced = queue.jobs.filter((job) => job.state === 'synced').length;
    const waiting = queue.jobs.filter((job) => ['queued', 'sending', 'retry_wait', 'ambiguous', 'reconciling'].includes(job.state)).length;
    expect(synced).toBeGreaterThanOrEqual(1);
    expect(stdout, stderr).toContain(`Synced ${synced} job(s) now, ${synced} in all; ${waiting} waiting; 0 need attention.`);
    expect(code).toBe(waiting > 0 ? 3 : 0);
  });
});
