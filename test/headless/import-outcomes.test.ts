import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { queueOutputSchema } from '../../src/shared/schemas.js';
import { face, tempDir } from '../helpers/paths.js';
import { station, testDbKey } from './helpers.js';

/** What `station import` reports, in one vocabulary: classes queued/skipped/rejected, images accepted/skipped/rejected. */
describe('station import: outcomes', () => {
  const env = { STATION_DB_KEY: testDbKey() };

  it('the same file under another class id is reported as such, and --force queues it there', async () => {
    const root = tempDir('station-import-other-');
    const dataDir = path.join(root, 'data');
    for (const [batch, classId] of [['a', '11'], ['b', '22']] as const) {
      fs.mkdirSync(path.join(root, batch, classId), { recursive: true });
      fs.copyFileSync(face('obama.jpg'), path.join(root, batch, classId, 'obama.jpg'));
    }
    const first = await station(['--data-dir', dataDir, '--json', 'import', path.join(root, 'a')], env);
    expect(first.code, first.stderr).toBe(0);

    const again = await station(['--data-dir', dataDir, '--json', 'import', path.join(root, 'b')], env);
    expect(again.code).toBe(1); // nothing queued
    const refused = JSON.parse(again.stdout).classes[0];
    expect(refused).toMatchObject({ classId: '22', result: 'rejected', jobId: null, accepted: 0, skipped: 0 });
    expect(refused.rejected).toEqual([{ file: 'obama.jpg', reasons: ['The same file is already queued under class 11; use --force to queue it for class 22 as well.'] }]);

    const forced = await station(['--data-dir', dataDir, '--json', 'import', '--force', path.join(root, 'b')], env);
    expect(forced.code, forced.stderr).toBe(0);
    const queued = JSON.parse(forced.stdout).classes[0];
    expect(queued).toMatchObject({ classId: '22', result: 'queued', accepted: 1, rejected: [] });
    // The duplicate-face warning of --force is about a class only queued here, not enrolled.
    const queue = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout));
    expect(queue.jobs.map((job) => job.classId).sort()).toEqual(['11', '22']);
    expect(queue.jobs.find((job) => job.classId === '22')?.note).toMatch(/looks like class 11 \(similarity \d\.\d\d\), already queued on this station\. Queued anyway/);

    // Safe to re-run, with --force too: the file is now queued for class 22 as well.
    const rerun = await station(['--data-dir', dataDir, '--json', 'import', '--force', path.join(root, 'b')], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout).classes[0]).toMatchObject({ result: 'skipped', skipped: 1, reason: 'already queued' });
  });

  it('an empty folder, a missing folder and an oversized file each get their reason', async () => {
    const root = tempDir('station-import-edge-');
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(path.join(root, 'empty'));
    const empty = await station(['--data-dir', dataDir, '--json', 'import', path.join(root, 'empty')], env);
    expect(empty.code).toBe(1);
    expect(JSON.parse(empty.stdout).error).toEqual({ code: 'IMPORT_EMPTY', message: expect.stringMatching(/holds nothing to import\. Put each person's photos in a sub-folder named by their class id/) });

    const missing = await station(['--data-dir', dataDir, '--json', 'import', path.join(root, 'nowhere')], env);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error.code).toBe('IMPORT_SOURCE_NOT_FOUND');

    // A sparse 51 MB file: refused by size before anything reads it.
    fs.mkdirSync(path.join(root, 'big', '5'), { recursive: true });
    fs.closeSync(fs.openSync(path.join(root, 'big', '5', 'huge.jpg'), 'w'));
    fs.truncateSync(path.join(root, 'big', '5', 'huge.jpg'), 51 * 1024 * 1024);
    const big = await station(['--data-dir', dataDir, 'import', path.join(root, 'big')], env);
    expect(big.code).toBe(1);
    expect(big.stdout).toMatch(/^5 +rejected +1 +0 +0 +1 +None of the images can be enrolled; see the reason for each image\.$/m);
    expect(big.stdout).toMatch(/huge\.jpg +.*images over 50 MB are refused/);
    expect(big.stdout).toContain('Classes: 0 queued, 0 skipped (already queued), 1 rejected. Images: 0 accepted, 0 skipped, 1 rejected. Not imported: 0 entries.');
    expect(big.stdout).not.toMatch(/could be read|refused;/);
  });
});
