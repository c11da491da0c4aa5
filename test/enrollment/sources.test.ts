import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planImport } from '../../src/engine/enrollment/sources.js';
import { tempDir } from '../helpers/paths.js';

describe('batch import sources', () => {
  it('reads a CSV: optional header, BOM, CRLF, quoted paths, paths relative to the CSV; bad lines reported', () => {
    const dir = tempDir('station-csv-');
    fs.mkdirSync(path.join(dir, 'photos'));
    for (const name of ['a.jpg', 'b.jpg', 'c, d.jpg']) fs.writeFileSync(path.join(dir, 'photos', name), 'x');
    const csv = ['\uFEFFclassId,path', '7,photos/a.jpg', '7,photos/b.jpg', '9223372036854775807,"photos/c, d.jpg"', '12a,photos/a.jpg', '8,photos/missing.jpg', '9'].join('\r\n');
    fs.writeFileSync(path.join(dir, 'batch.csv'), csv);
    const plan = planImport(path.join(dir, 'batch.csv'));
    expect(plan.groups).toEqual([
      { classId: '7', files: [path.join(dir, 'photos', 'a.jpg'), path.join(dir, 'photos', 'b.jpg')], givenAs: ['7'] },
      { classId: '9223372036854775807', files: [path.join(dir, 'photos', 'c, d.jpg')], givenAs: ['9223372036854775807'] },
    ]);
    expect(plan.problems.map((problem) => [problem.source, problem.code])).toEqual([
      ['batch.csv line 5', 'INVALID_CLASS_ID'],
      ['batch.csv line 6', 'IMAGE_NOT_FOUND'],
      ['batch.csv line 7', 'USAGE'],
    ]);
  });

  it('reads a folder of class-id sub-folders; other names and loose files are reported', () => {
    const dir = tempDir('station-folder-');
    for (const folder of ['42', '0042', 'guests', '0']) fs.mkdirSync(path.join(dir, folder));
    fs.writeFileSync(path.join(dir, '42', 'front.jpg'), 'x');
    fs.writeFileSync(path.join(dir, '42', '.DS_Store'), 'x');
    fs.writeFileSync(path.join(dir, '0042', 'side.jpg'), 'x');
    fs.writeFileSync(path.join(dir, 'loose.jpg'), 'x');
    const plan = planImport(dir);
    // "0042" is the same class as "42": their files form one group.
    expect(plan.groups).toEqual([{ classId: '42', files: [path.join(dir, '0042', 'side.jpg'), path.join(dir, '42', 'front.jpg')], givenAs: ['0042', '42'] }]);
    expect(plan.problems.map((problem) => [path.basename(problem.source), problem.code]).sort()).toEqual([
      ['0', 'INVALID_CLASS_ID'],
      ['guests', 'INVALID_CLASS_ID'],
      ['loose.jpg', 'USAGE'],
    ]);
  });

  it('refuses a source that is neither a folder nor a CSV', () => {
    const dir = tempDir('station-src-');
    fs.writeFileSync(path.join(dir, 'list.txt'), '1,a.jpg');
    expect(() => planImport(path.join(dir, 'list.txt'))).toThrow(/neither a folder nor a \.csv/);
    expect(() => planImport(path.join(dir, 'nope'))).toThrow(/does not exist/);
  });
});
