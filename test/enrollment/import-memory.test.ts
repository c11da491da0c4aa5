import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { face, stationBin, tempDir } from '../helpers/paths.js';
import { testDbKey } from '../headless/helpers.js';

/**
 * Runs `station import` in a child process and returns its peak RSS (the kernel's high-water mark, written by
 * a preloaded hook as the process exits), so the figure is the import's alone.
 */
function importPeakRss(csv: string, dataDir: string): Promise<{ code: number | null; peakMb: number; stdout: string }> {
  const rssFile = path.join(path.dirname(csv), `rss-${Date.now()}.txt`);
  const hook = `data:text/javascript,import fs from 'node:fs'; process.on('exit', () => fs.writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', hook, stationBin, '--data-dir', dataDir, '--json', 'import', csv], {
      env: { ...process.env, NO_COLOR: '1', STATION_DB_KEY: testDbKey() },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, peakMb: Number(fs.readFileSync(rssFile, 'utf8')) / 1024 }));
  });
}

describe('station import in bounded memory', () => {
  it('a CSV whose 3,000 rows repeat one photo reads it once and stays far below a per-row cost', async () => {
    const dir = tempDir('station-import-mem-');
    fs.copyFileSync(face('obama.jpg'), path.join(dir, 'photo.jpg'));
    const rows = 3000;
    fs.writeFileSync(path.join(dir, 'rows.csv'), `classId,path\n${'1001,photo.jpg\n'.repeat(rows)}`);
    const { code, peakMb, stdout } = await importPeakRss(path.join(dir, 'rows.csv'), path.join(dir, 'data'));
    const summary = JSON.parse(stdout);
    console.log(`import of ${rows} rows repeating one ${(fs.statSync(path.join(dir, 'photo.jpg')).size / 1024).toFixed(0)} KB photo: peak RSS ${peakMb.toFixed(0)} MB`);
    // Holding every row's bytes would add about 800 MB (280 KB x 3,000) to the ~200 MB of models and runtime.
    expect(peakMb).toBeLessThan(450);
    expect(summary.classes).toMatchObject([{ classId: '1001', result: 'queued', files: 1, accepted: 1 }]);
    expect(summary.problems).toEqual([expect.objectContaining({ code: 'DUPLICATE_FILE', message: expect.stringMatching(/listed again 2999 more time\(s\) for class 1001/) })]);
    expect(code).toBe(3);
  });
});
