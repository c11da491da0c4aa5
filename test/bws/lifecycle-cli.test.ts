import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encoderManifest } from './encoders.js';
import { facesDir, repoRoot, tempDir } from './helpers.js';

const stationBin = path.join(repoRoot, 'bin', 'station.js');
const photo = (name: string) => path.join(facesDir, name);

// Each command is a fresh Node process that loads the CLI (and often the models): allow for a busy machine.
describe('template lifecycle from the command line (compiled CLI)', { timeout: 300_000 }, () => {
  const dir = tempDir('lifecycle-cli-');
  const keyFile = path.join(dir, 'bws.key');
  fs.writeFileSync(keyFile, `${randomBytes(64).toString('base64')}\n`, { mode: 0o600 });
  const env = { ...process.env, NO_COLOR: '1', STATION_DB_KEY: randomBytes(32).toString('base64'), BWS_ENDPOINT: '', BWS_CLIENT_ID: '', BWS_KEY: '', STATION_MODEL_MANIFEST: '' };
  const v2 = { STATION_MODEL_MANIFEST: encoderManifest({ encoderVersion: 2 }).path };
  const servers: ChildProcess[] = [];

  const station = (dataDir: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [stationBin, '--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv } });

  /** `station bws serve` in the background; resolves with its endpoint once it listens. */
  const serve = async (dataDir: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const server = spawn(process.execPath, [stationBin, '--data-dir', dataDir, 'bws', 'serve', '--port', '0', '--client-id', 'cli-client', '--key-file', keyFile, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(server);
    let stdout = '';
    const log = { text: '' };
    server.stderr!.on('data', (chunk: Buffer) => (log.text += chunk.toString()));
    const endpoint = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^listening (\S+):(\d+)\n/.exec(stdout);
        if (match) resolve(`http://${match[1]}:${match[2]}`);
      });
      server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${log.text}`)));
    });
    const admin = (more: string[], adminEnv: NodeJS.ProcessEnv = {}) => station(dataDir, ['bws', ...more, '--endpoint', endpoint, '--client-id', 'cli-client', '--key-file', keyFile], adminEnv);
    const stop = async () => {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    };
    return { admin, stop, log };
  };

  afterAll(async () => {
    for (const server of servers) {
      if (server.exitCode !== null || server.signalCode !== null) continue;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('serve refuses a bad partition, storage or template mode, and upgrade needs one of --class-id / --all-known', () => {
    const dataDir = path.join(dir, 'usage');
    for (const [args, message] of [
      [['--partition', '0'], /partition id "0" is not valid/],
      [['--storage', 'a/b'], /storage name "a\/b" is not valid/],
      [['--template-mode', 'fancy'], /--template-mode must be full or standard/],
    ] as const) {
      const result = station(dataDir, ['bws', 'serve', '--client-id', 'x', '--key-file', keyFile, ...args]);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const neither = station(dataDir, ['bws', 'upgrade', '--local']);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toMatch(/--class-id N or --all-known/);
  });

  it('serve --partition: the BCID in the headers and the log; after a restart with a newer encoder, bws upgrade --class-id upgrades from the thumbnails', async () => {
    const dataDir = path.join(dir, 'serve');
    const first = await serve(dataDir, ['--storage', 'site', '--partition', '7']);
    const enroll = first.admin(['enroll', '--class-id', '42', photo('obama.jpg'), photo('obama2.jpg')]);
    expect(enroll.status, enroll.stderr).toBe(0);
    expect(enroll.stdout).toMatch(/bcid=site\/7\/42/);
    expect(enroll.stdout).toMatch(/"encoderVersion": 1/);
    const current = first.admin(['upgrade', '--class-id', '42']);
    expect(current.status, current.stderr).toBe(0);
    expect(current.stdout).toMatch(/42\s+NONE\s+1\s+2\s+already current \(encoder version 1\)/);
    await first.stop();
    expect(first.log.text).toMatch(/templates site\/7\/<classId>, full mode/);
    expect(first.log.text).toMatch(/Enroll site\/7\/42: NEW_TEMPLATE_CREATED, 2 of 2 image\(s\) enrolled, 2 vector\(s\), 2 thumbnail\(s\), encoder version 1/);

    const second = await serve(dataDir, ['--storage', 'site', '--partition', '7'], v2);
    const upgraded = second.admin(['upgrade', '--class-id', '42']);
    expect(upgraded.status, upgraded.stderr).toBe(0);
    expect(upgraded.stdout).toMatch(/42\s+TEMPLATE_UPGRADED\s+2\s+2\s+upgraded to encoder version 2/);
    expect(upgraded.stderr).toMatch(/1 of 1 template\(s\) upgraded\./);
    // Another partition of the same folder has no such template.
    await second.stop();
    const other = await serve(dataDir, ['--storage', 'site', '--partition', '8'], v2);
    const missing = other.admin(['status', '--class-id', '42']);
    expect(missing.stdout).toMatch(/"available": false/);
    expect(missing.stdout).toMatch(/bcid=site\/8\/42/);
    await other.stop();
  });

  it('more images for a synced class are an update; bws upgrade --all-known --local upgrades every synced class id', () => {
    const dataDir = path.join(dir, 'station');
    const first = station(dataDir, ['enroll', '--class-id', '1001', photo('obama.jpg')]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Queued job \S+ for class 1001:/);
    expect(station(dataDir, ['enroll', '--class-id', '1002', photo('biden.jpg')]).status).toBe(0);
    const synced = station(dataDir, ['sync', '--local']);
    expect(synced.status, synced.stderr).toBe(0);

    const more = station(dataDir, ['enroll', '--class-id', '1001', photo('obama2.jpg')]);
    expect(more.status, more.stderr).toBe(0);
    expect(more.stdout).toMatch(/Queued job \S+ for an update of class 1001 \(already synced/);
    const json = station(dataDir, ['enroll', '--json', '--class-id', '1002', photo('biden2.jpg')]);
    expect(JSON.parse(json.stdout)).toMatchObject({ queued: true, update: true });
    const queue = JSON.parse(station(dataDir, ['queue', '--json']).stdout) as { jobs: Array<{ classId: string; state: string; update: boolean }> };
    expect(queue.jobs.map((job) => [job.classId, job.state, job.update])).toEqual([
      ['1002', 'queued', true],
      ['1001', 'queued', true],
      ['1002', 'synced', false],
      ['1001', 'synced', false],
    ]);
    expect(station(dataDir, ['sync', '--local']).status).toBe(0);

    const upgraded = station(dataDir, ['bws', 'upgrade', '--all-known', '--local', '--json'], v2);
    expect(upgraded.status, upgraded.stderr).toBe(0);
    const results = (JSON.parse(upgraded.stdout) as { results: Array<{ classId: string; action: string; encoderVersion: number; featureVectors: number }> }).results;
    expect(results.map((result) => [result.classId, result.action, result.encoderVersion, result.featureVectors]).sort()).toEqual([
      ['1001', 'TEMPLATE_UPGRADED', 2, 2],
      ['1002', 'TEMPLATE_UPGRADED', 2, 2],
    ]);
  });
});
