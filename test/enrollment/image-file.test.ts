import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImageFile } from '../../src/engine/image-file.js';
import { face, stationBin, tempDir } from '../helpers/paths.js';
import { testDbKey } from '../headless/helpers.js';

/** Paths that are not regular files: every image-reading command must refuse them before reading. */
function oddPaths(): { fifo: string; folder: string; device: string } {
  const dir = tempDir('station-odd-');
  const fifo = path.join(dir, 'photo.jpg');
  execFileSync('mkfifo', [fifo]);
  const folder = path.join(dir, 'folder.jpg');
  fs.mkdirSync(folder);
  return { fifo, folder, device: '/dev/zero' };
}

/** Runs the compiled CLI; a command that hangs or grows without end is killed and fails the test. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [stationBin, ...args], { env: { ...process.env, NO_COLOR: '1', BWS_ENDPOINT: '', ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    let killed = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    // A hang guard only (the refusal is immediate): generous for a loaded machine.
    const guard = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, killed });
    });
  });
}

describe('readImageFile: the one way every command reads an image', () => {
  it('refuses a FIFO, a device and a folder as IMAGE_NOT_A_FILE, without blocking or reading', () => {
    const { fifo, folder, device } = oddPaths();
    expect(() => readImageFile(fifo)).toThrow(expect.objectContaining({ code: 'IMAGE_NOT_A_FILE', message: expect.stringMatching(/pipe \(FIFO\)/) }));
    expect(() => readImageFile(device)).toThrow(expect.objectContaining({ code: 'IMAGE_NOT_A_FILE', message: expect.stringMatching(/a device/) }));
    expect(() => readImageFile(folder)).toThrow(expect.objectContaining({ code: 'IMAGE_NOT_A_FILE', message: expect.stringMatching(/a folder/) }));
  });

  it('checks the size before reading: a (sparse) file over the cap, an empty file, a missing one', () => {
    const dir = tempDir('station-size-');
    const big = path.join(dir, 'big.jpg');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 51 * 1024 * 1024);
    expect(() => readImageFile(big)).toThrow(expect.objectContaining({ code: 'IMAGE_TOO_LARGE_FILE' }));
    expect(() => readImageFile(face('obama.jpg'), 1000)).toThrow(expect.objectContaining({ code: 'IMAGE_TOO_LARGE_FILE' }));
    fs.writeFileSync(path.join(dir, 'empty.jpg'), '');
    expect(() => readImageFile(path.join(dir, 'empty.jpg'))).toThrow(expect.objectContaining({ code: 'IMAGE_EMPTY' }));
    expect(() => readImageFile(path.join(dir, 'missing.jpg'))).toThrow(expect.objectContaining({ code: 'IMAGE_NOT_FOUND' }));
    expect(readImageFile(face('obama.jpg')).equals(fs.readFileSync(face('obama.jpg')))).toBe(true);
  });

  it('analyze, enroll, import and the bws admin commands refuse a FIFO, /dev/zero and a folder with the same code', async () => {
    const { fifo, folder, device } = oddPaths();
    const dataDir = path.join(tempDir('station-odd-data-'), 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    const csv = path.join(path.dirname(fifo), 'list.csv');
    fs.writeFileSync(csv, `classId,path\n5,${fifo}\n6,${device}\n7,${folder}\n`);

    const analyze = await run(['--data-dir', dataDir, 'analyze', '--json', fifo, device, folder], env);
    expect(analyze.killed).toBe(false);
    expect(JSON.parse(analyze.stdout).results.map((result: { error?: { code: string } }) => result.error?.code)).toEqual(['IMAGE_NOT_A_FILE', 'IMAGE_NOT_A_FILE', 'IMAGE_NOT_A_FILE']);
    expect(analyze.code).toBe(1);

    const enroll = await run(['--data-dir', dataDir, 'enroll', '--json', '--class-id', '5', fifo, device, folder], env);
    expect(enroll.killed).toBe(false);
    expect(JSON.parse(enroll.stdout).rejected.map((image: { reasons: string[] }) => image.reasons.join(' '))).toEqual([
      expect.stringMatching(/pipe \(FIFO\), not an image file/),
      expect.stringMatching(/a device, not an image file/),
      expect.stringMatching(/a folder, not an image file/),
    ]);

    const batch = await run(['--data-dir', dataDir, 'import', '--json', csv], env);
    expect(batch.killed).toBe(false);
    const reasons = JSON.parse(batch.stdout).classes.flatMap((entry: { rejected: Array<{ reasons: string[] }> }) => entry.rejected.flatMap((file) => file.reasons));
    expect(reasons).toEqual([expect.stringMatching(/pipe \(FIFO\)/), expect.stringMatching(/a device/), expect.stringMatching(/a folder/)]);

    for (const args of [['enroll', '--class-id', '5', device], ['verify', '--class-id', '5', fifo], ['search', folder]]) {
      const admin = await run(['--data-dir', dataDir, '--json', 'bws', ...args, '--local'], env);
      expect(admin.killed, args.join(' ')).toBe(false);
      expect(JSON.parse(admin.stdout).error.code, args.join(' ')).toBe('IMAGE_NOT_A_FILE');
    }
  });
});
