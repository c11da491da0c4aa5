import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planImport } from '../../src/engine/enrollment/sources.js';
import { tempDir } from '../helpers/paths.js';

describe('batch import sources', () => {
  it('reads a CSV: optional header, BOM, CRLF, quoted paths, paths relative to the CSV; bad lines reported', async () => {
    const dir = tempDir('station-csv-');
    fs.mkdirSync(path.join(dir, 'photos'));
    for (const name of ['a.jpg', 'b.jpg', 'c, d.jpg']) fs.writeFileSync(path.join(dir, 'photos', name), 'x');
    const csv = ['\uFEFFclassId,path', '7,photos/a.jpg', '7,photos/b.jpg', '9223372036854775807,"photos/c, d.jpg"', '12a,photos/a.jpg', '8,photos/missing.jpg', '9'].join('\r\n');
    fs.writeFileSync(path.join(dir, 'batch.csv'), csv);
    const plan = await planImport(path.join(dir, 'batch.csv'));
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

  it('reads a folder of class-id sub-folders; other names and loose files are reported', async () => {
    const dir = tempDir('station-folder-');
    for (const folder of ['42', '0042', 'guests', '0']) fs.mkdirSync(path.join(dir, folder));
    fs.writeFileSync(path.join(dir, '42', 'front.jpg'), 'x');
    fs.writeFileSync(path.join(dir, '42', '.DS_Store'), 'x');
    fs.writeFileSync(path.join(dir, '0042', 'side.jpg'), 'x');
    fs.writeFileSync(path.join(dir, 'loose.jpg'), 'x');
    const plan = await planImport(dir);
    // "0042" is the same class as "42": their files form one group.
    expect(plan.groups).toEqual([{ classId: '42', files: [path.join(dir, '0042', 'side.jpg'), path.join(dir, '42', 'front.jpg')], givenAs: ['0042', '42'] }]);
    expect(plan.problems.map((problem) => [path.basename(problem.source), problem.code]).sort()).toEqual([
      ['0', 'INVALID_CLASS_ID'],
      ['guests', 'INVALID_CLASS_ID'],
      ['loose.jpg', 'USAGE'],
    ]);
  });

  it('lists a file once however often the CSV repeats it (by identity, also via another spelling), and says so once per file', async () => {
    const dir = tempDir('station-csv-repeat-');
    fs.mkdirSync(path.join(dir, 'photos'));
    for (const name of ['a.jpg', 'b.jpg']) fs.writeFileSync(path.join(dir, 'photos', name), 'x');
    fs.linkSync(path.join(dir, 'photos', 'b.jpg'), path.join(dir, 'photos', 'b-link.jpg'));
    const lines = ['classId,path', '7,photos/a.jpg', '7,photos/a.jpg', '7,./photos/../photos/a.jpg', '8,photos/a.jpg', '8,photos/b.jpg', '9,photos/b-link.jpg'];
    fs.writeFileSync(path.join(dir, 'batch.csv'), lines.join('\n'));
    const plan = await planImport(path.join(dir, 'batch.csv'));
    expect(plan.groups).toEqual([
      { classId: '7', files: [path.join(dir, 'photos', 'a.jpg')], givenAs: ['7'] },
      { classId: '8', files: [path.join(dir, 'photos', 'b.jpg')], givenAs: ['8'] },
    ]);
    expect(plan.problems).toEqual([
      {
        source: 'batch.csv line 2',
        code: 'DUPLICATE_FILE',
        message: 'photos/a.jpg is listed again 2 more time(s) for class 7 and 1 time(s) for other class ids (one photo shows one person: only class 7 gets it), on line(s) 3, 4, 5. It is read and imported once.',
      },
      {
        source: 'batch.csv line 6',
        code: 'DUPLICATE_FILE',
        message: 'photos/b.jpg is listed again 1 time(s) for other class ids (one photo shows one person: only class 8 gets it), on line(s) 7. It is read and imported once.',
      },
    ]);
  });

  it('streams a large CSV: 100,000 rows of a few files become a few groups, repeats counted, not listed', async () => {
    const dir = tempDir('station-csv-large-');
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) fs.writeFileSync(path.join(dir, name), 'x');
    const rows = Array.from({ length: 100_000 }, (_, i) => `${(i % 3) + 1},${'abc'[i % 3]}.jpg`);
    fs.writeFileSync(path.join(dir, 'big.csv'), rows.join('\n'));
    const plan = await planImport(path.join(dir, 'big.csv'));
    expect(plan.groups.map((group) => [group.classId, group.files.map((file) => path.basename(file))])).toEqual([['1', ['a.jpg']], ['2', ['b.jpg']], ['3', ['c.jpg']]]);
    expect(plan.problems.map((problem) => problem.message.replace(/ on line.*/, ''))).toEqual([
      'a.jpg is listed again 33333 more time(s) for class 1,',
      'b.jpg is listed again 33332 more time(s) for class 2,',
      'c.jpg is listed again 33332 more time(s) for class 3,',
    ]);
  });

  it('refuses a source that is neither a folder nor a CSV', async () => {
    const dir = tempDir('station-src-');
    fs.writeFileSync(path.join(dir, 'list.txt'), '1,a.jpg');
    await expect(planImport(path.join(dir, 'list.txt'))).rejects.toThrow(/neither a folder nor a \.csv/);
    await expect(planImport(path.join(dir, 'nope'))).rejects.toThrow(/does not exist/);
  });
});

describe('batch import sources: entries of a class folder that are not photos', () => {
  it('a pipe, a socket, a link to a device and a sub-folder are reported as IMAGE_NOT_A_FILE; a link to a photo is imported', async () => {
    const root = tempDir('import-kinds-');
    const classDir = path.join(root, '1001');
    fs.mkdirSync(path.join(classDir, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(root, 'photo.jpg'), 'not decoded at planning');
    fs.writeFileSync(path.join(classDir, 'a.jpg'), 'not decoded at planning');
    fs.symlinkSync(path.join(root, 'photo.jpg'), path.join(classDir, 'b-link.jpg'));
    fs.symlinkSync('/dev/null', path.join(classDir, 'device.jpg'));
    fs.symlinkSync(path.join(root, 'gone.jpg'), path.join(classDir, 'broken.jpg'));
    execFileSync('mkfifo', [path.join(classDir, 'pipe.jpg')]);
    const socketServer = net.createServer().listen(path.join(classDir, 'socket.jpg'));
    await new Promise((resolve) => socketServer.once('listening', resolve));
    try {
      const plan = await planImport(root);
      expect(plan.groups.map((group) => [group.classId, group.files.map((file) => path.basename(file))])).toEqual([['1001', ['a.jpg', 'b-link.jpg']]]);
      const refused = plan.problems.filter((problem) => problem.code === 'IMAGE_NOT_A_FILE').map((problem) => [path.basename(problem.source), problem.message.replace(`${classDir}${path.sep}`, '')]);
      expect(refused).toEqual([
        ['broken.jpg', 'broken.jpg is a broken link, not an image file: skipped.'],
        ['device.jpg', 'device.jpg is a device, not an image file: skipped.'],
        ['nested', 'nested is a folder, not an image file: skipped.'],
        ['pipe.jpg', 'pipe.jpg is a pipe (FIFO), not an image file: skipped.'],
        ['socket.jpg', 'socket.jpg is a socket, not an image file: skipped.'],
      ]);
    } finally {
      socketServer.close();
    }
  });
});
