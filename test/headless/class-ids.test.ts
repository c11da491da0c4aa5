import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths.js';
import { station, testDbKey } from './helpers.js';

/**
 * The one class-id rule at the CLI's entry points: padded ids are read as the class they name, and the output
 * says so. Empty files keep these runs free of model loading (they are refused before any analysis).
 */
describe('class ids at the command line', () => {
  const env = { STATION_DB_KEY: testDbKey() };

  it('enroll --class-id 0042 works on class 42 and says so', async () => {
    const root = tempDir('station-classid-');
    const photo = path.join(root, 'empty.jpg');
    fs.writeFileSync(photo, '');
    const run = await station(['--data-dir', path.join(root, 'data'), '--json', 'enroll', '--class-id', ' 0042 ', photo], env);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).classId).toBe('42');
    expect(run.stderr).toContain('0042 -> class 42');
  });

  it('import: folders "0042" and "42" are one class, reported as such', async () => {
    const root = tempDir('station-classid-');
    for (const folder of ['0042', '42']) {
      fs.mkdirSync(path.join(root, 'batch', folder), { recursive: true });
      fs.writeFileSync(path.join(root, 'batch', folder, `${folder}.jpg`), '');
    }
    const json = await station(['--data-dir', path.join(root, 'data'), '--json', 'import', path.join(root, 'batch')], env);
    const summary = JSON.parse(json.stdout);
    expect(summary.classes).toHaveLength(1);
    expect(summary.classes[0]).toMatchObject({ classId: '42', files: 2, classIdNote: '0042, 42 -> class 42 (one class)' });
    const human = await station(['--data-dir', path.join(root, 'data'), 'import', path.join(root, 'batch')], env);
    expect(human.stdout).toContain('0042, 42 -> class 42 (one class)');
  });

  it('import from a CSV normalises the classId column the same way', async () => {
    const root = tempDir('station-classid-');
    fs.writeFileSync(path.join(root, 'a.jpg'), '');
    fs.writeFileSync(path.join(root, 'list.csv'), 'classId,path\n007,a.jpg\n');
    const run = await station(['--data-dir', path.join(root, 'data'), '--json', 'import', path.join(root, 'list.csv')], env);
    expect(JSON.parse(run.stdout).classes[0]).toMatchObject({ classId: '7', classIdNote: '007 -> class 7' });
  });
});
