import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const SENTENCE = 'The Electron binary is not installed on this machine, so the window cannot open; the same engine runs headless: npx station --help / npx station doctor\n';

function start(env: NodeJS.ProcessEnv) {
  const clean = { ...process.env };
  delete clean.ELECTRON_EXEC_PATH;
  delete clean.ELECTRON_OVERRIDE_DIST_PATH;
  // Tests never try the first-start binary download (it would reach for the network).
  return spawnSync(process.execPath, [path.join(repo, 'scripts/start.mjs')], { cwd: repo, env: { ...clean, STATION_NO_ELECTRON_DOWNLOAD: '1', ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('npm start without the Electron binary', () => {
  it('prints one sentence (stderr) pointing to the headless commands and exits 1, without a stack trace', () => {
    // An empty dist folder stands for "binary not installed", whatever this machine has.
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-electron-'));
    try {
      const result = start({ ELECTRON_OVERRIDE_DIST_PATH: empty });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(SENTENCE);
      expect(result.stdout).toBe('');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('treats an ELECTRON_EXEC_PATH that does not exist the same way', () => {
    const result = start({ ELECTRON_EXEC_PATH: path.join(os.tmpdir(), 'definitely-not-electron-binary') });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(SENTENCE);
  });
});
