import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { doctorReportSchema } from '../../src/shared/schemas.js';
import { stationBin, tempDir } from '../helpers/paths.js';

function station(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [stationBin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
}

describe('station CLI (compiled, as `npx station` runs it)', () => {
  it('prints help and version', () => {
    const help = station(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: station/);
    expect(help.stdout).toMatch(/--data-dir/);
    const version = station(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('doctor --json reports models verified and natives loaded, without creating the data folder', () => {
    const dataDir = `${tempDir()}/not-yet`;
    const result = station(['doctor', '--json', '--no-network', '--data-dir', dataDir]);
    const report = doctorReportSchema.parse(JSON.parse(result.stdout));
    const byName = Object.fromEntries(report.checks.map((check) => [check.name, check]));
    for (const name of ['model detector', 'model embedding', 'onnxruntime-node', 'sharp', 'encrypted sqlite']) {
      expect(byName[name]?.ok, `${name}: ${byName[name]?.detail}`).toBe(true);
    }
    expect(byName['data folder']?.detail).toMatch(/not created yet/);
    expect(report.ok).toBe(true);
    expect(result.status).toBe(0);
  });

  it('answers an unknown command with a usage error and exit code 2', () => {
    const result = station(['no-such-command']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command/);
  });
});
