import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { queueOutputSchema } from '../../src/shared/schemas.js';
import { face, tempDir } from '../helpers/paths.js';
import { startStation, station, testDbKey } from './helpers.js';

describe('station sync --watch', () => {
  it('keeps syncing new work, and stops cleanly on Ctrl-C (SIGINT) without losing a job', async () => {
    const dataDir = path.join(tempDir('station-watch-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    expect((await station(['--data-dir', dataDir, 'enroll', '--class-id', '11', face('biden.jpg')], env)).code).toBe(0);

    const watcher = startStation(['--data-dir', dataDir, 'sync', '--watch', '--local'], env);
    const waitFor = async (pattern: RegExp) => {
      expect(await watcher.waitForStderr(pattern), watcher.stderr).toBe(true);
    };

    await waitFor(/synced 1 \| waiting 0/);
    // A second process may still queue work while the watcher runs (it only holds the sync lock).
    const second = await station(['--data-dir', dataDir, 'enroll', '--class-id', '12', face('kit_harington1.jpg')], env);
    expect(second.code, second.stderr).toBe(0);
    await waitFor(/synced 2 \| waiting 0/);

    // While the watcher holds the lock, a second syncer is refused with a clear message.
    const rival = await station(['--data-dir', dataDir, 'sync', '--local'], env);
    expect(rival.code).toBe(1);
    expect(rival.stderr).toMatch(/Another process is already syncing/);

    watcher.child.kill('SIGINT');
    expect((await watcher.exited).code).toBe(0);
    expect(watcher.stderr).toMatch(/stopping/);
    expect(watcher.stdout).toMatch(/Synced 2 job\(s\) now, 2 in all; 0 waiting/);

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

    const watcher = startStation(['--data-dir', dataDir, 'sync', '--watch', '--local'], env);
    // Ctrl-C the moment the first job is reported synced: the other sends then in flight finish while stopping.
    await watcher.waitForStderr(/synced [1-9]/);
    watcher.child.kill('SIGINT');
    const { code } = await watcher.exited;

    const queue = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout));
    const synced = queue.jobs.filter((job) => job.state === 'synced').length;
    const waiting = queue.jobs.filter((job) => ['queued', 'sending', 'retry_wait', 'ambiguous', 'reconciling'].includes(job.state)).length;
    expect(synced).toBeGreaterThanOrEqual(1);
    expect(watcher.stdout, watcher.stderr).toContain(`Synced ${synced} job(s) now, ${synced} in all; ${waiting} waiting; 0 need attention.`);
    expect(code).toBe(waiting > 0 ? 3 : 0);
  });
});
