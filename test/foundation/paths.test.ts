import path from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataDir } from '../../src/engine/paths.js';

describe('data folder', () => {
  it('follows each OS convention for the product name, like Electron userData', () => {
    expect(defaultDataDir({}, 'linux')).toBe(path.join(os.homedir(), '.config', 'Enrollment Station'));
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux')).toBe(path.join('/x/cfg', 'Enrollment Station'));
    expect(defaultDataDir({}, 'darwin')).toBe(path.join(os.homedir(), 'Library', 'Application Support', 'Enrollment Station'));
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toContain('Enrollment Station');
  });

  it('prefers --data-dir, then STATION_DATA_DIR', () => {
    expect(resolveDataDir('/tmp/a', { STATION_DATA_DIR: '/tmp/b' })).toBe(path.resolve('/tmp/a'));
    expect(resolveDataDir(undefined, { STATION_DATA_DIR: '/tmp/b' })).toBe(path.resolve('/tmp/b'));
  });
});
