import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facesDir, repoRoot, tempDir } from './helpers.js';

const stationBin = path.join(repoRoot, 'bin', 'station.js');
const MAX = '9223372036854775807';

// Each command is a fresh Node process that loads the whole CLI: allow for a busy machine.
describe('station bws (compiled CLI, as `npx station` runs it)', { timeout: 180_000 }, () => {
  const dir = tempDir('bws-cli-');
  const dataDir = path.join(dir, 'data');
  const keyFile = path.join(dir, 'bws.key');
  const key = randomBytes(64).toString('base64');
  const env = { ...process.env, NO_COLOR: '1', STATION_DB_KEY: randomBytes(32).toString('base64'), BWS_ENDPOINT: '', BWS_CLIENT_ID: '', BWS_KEY: '' };
  let server: ChildProcess;
  let endpoint = '';
  let serverStdout = '';

  const station = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [stationBin, '--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv } });
  const remote = (args: string[]) => station(['bws', ...args, '--endpoint', endpoint, '--client-id', 'cli-client', '--key-file', keyFile]);

  beforeAll(async () => {
    fs.writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    server = spawn(process.execPath, [stationBin, '--data-dir', dataDir, 'bws', 'serve', '--port', '0', '--client-id', 'cli-client', '--key-file', keyFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    endpoint = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        serverStdout += chunk.toString();
        const match = /^listening (\S+):(\d+)\n/.exec(serverStdout);
        if (match) resolve(`http://${match[1]}:${match[2]}`);
      });
      server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
  });
  afterAll(async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('serve prints exactly one line on stdout', () => {
    expect(serverStdout).toMatch(/^listening 127\.0\.0\.1:\d+\n$/);
  });

  it('health, enroll, status, tags, delete: response, headers and trailers; exit codes', () => {
    const health = remote(['health']);
    expect(health.status).toBe(0);
    expect(health.stdout).toMatch(/liveness: SERVING/);
    expect(health.stdout).toMatch(/readiness: SERVING/);

    const enroll = remote(['enroll', '--class-id', MAX, '--reference', 'cli-ref-1', path.join(facesDir, 'obama.jpg')]);
    expect(enroll.status, enroll.stderr).toBe(0);
    expect(enroll.stdout).toMatch(/jobid=[0-9a-f-]{36}/);
    expect(enroll.stdout).toMatch(/reference-number=cli-ref-1/);
    expect(enroll.stdout).toMatch(/"performedAction": "NEW_TEMPLATE_CREATED"/);
    expect(enroll.stdout).toMatch(/trailers: response-time-ms=\d+/);
  });

  it('status with thumbnails as JSON, tags, delete; a missing template exits with NOT_FOUND (5)', () => {

    const status = remote(['status', '--class-id', MAX, '--thumbnails', '--json']);
    expect(status.status).toBe(0);
    const document = JSON.parse(status.stdout) as { response: { classId: string; featureVectors: number; thumbnails: Array<{ image: string }> }; headers: Record<string, string>; trailers: Record<string, string> };
    expect(document.response.classId).toBe(MAX);
    expect(document.response.featureVectors).toBe(1);
    // One key style (camelCase) in every JSON document: no proto field names leak through.
    expect(status.stdout).not.toMatch(/"[a-z]+_[a-z_]+":/);
    expect(Buffer.from(document.response.thumbnails[0]!.image, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(document.headers.jobid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(document.trailers['response-time-ms']).toMatch(/^\d+$/);

    expect(remote(['tags', '--class-id', MAX, 'one', 'two']).status).toBe(0);
    expect(remote(['delete', '--class-id', MAX]).status).toBe(0);
    const again = remote(['delete', '--class-id', MAX]);
    expect(again.status).toBe(5); // NOT_FOUND
    expect(again.stderr).toMatch(/NOT_FOUND \(5\)/);
  });

  it('a wrong key exits with UNAUTHENTICATED (16); a literal --key warns', () => {
    const result = station(['bws', 'status', '--class-id', '1', '--endpoint', endpoint, '--client-id', 'cli-client', '--key', randomBytes(64).toString('base64')]);
    expect(result.status).toBe(16);
    expect(result.stderr).toMatch(/visible to other local users/);
    expect(result.stderr).toMatch(/UNAUTHENTICATED/);
    // An admin command's own wording: nothing here is queued, retried or paused.
    expect(result.stderr).toMatch(/The service rejected the credentials: check the client id and key/);
    expect(result.stderr).not.toMatch(/[Ss]ync|paused|retried/);
  });

  it('health against a dead endpoint exits with UNAVAILABLE (14) in admin wording', () => {
    const result = station(['bws', 'health', '--endpoint', 'http://127.0.0.1:1', '--deadline', '5']);
    expect(result.status).toBe(14);
    expect(result.stderr).toMatch(/The service cannot be reached: check the endpoint address/);
    expect(result.stderr).not.toMatch(/job|retried|[Ss]ync/);
  });

  it('refuses plaintext to a non-loopback endpoint and explains missing configuration', () => {
    const insecure = station(['bws', 'status', '--class-id', '1', '--endpoint', 'http://192.0.2.10:8080', '--client-id', 'x', '--key-file', keyFile]);
    expect(insecure.status).toBe(1);
    expect(insecure.stderr).toMatch(/ENDPOINT_INSECURE/);
    const missing = spawnSync(process.execPath, [stationBin, '--data-dir', path.join(dir, 'empty'), 'bws', 'status', '--class-id', '1'], { encoding: 'utf8', env });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/NOT_CONFIGURED/);
  });

  it('--local talks to the embedded service; its credentials and templates persist between runs', () => {
    const localDir = path.join(dir, 'local');
    const run = (args: string[]) => spawnSync(process.execPath, [stationBin, '--data-dir', localDir, 'bws', ...args, '--local', '--json'], { encoding: 'utf8', env });
    const none = run(['status', '--class-id', '77']);
    expect(none.status, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout).response.available).toBe(false);
    const enrolled = run(['enroll', '--class-id', '77', path.join(facesDir, 'rose_leslie1.jpg')]);
    expect(enrolled.status, enrolled.stderr).toBe(0);
    expect(JSON.parse(enrolled.stdout).response.performedAction).toBe('NEW_TEMPLATE_CREATED');
    const status = run(['status', '--class-id', '77']);
    expect(JSON.parse(status.stdout).response).toMatchObject({ available: true, featureVectors: 1 });
    // Credentials and templates are encrypted at rest in the service's own folder.
    for (const file of ['credentials.db', 'templates.db']) {
      const bytes = fs.readFileSync(path.join(localDir, 'local-bws', file));
      expect(bytes.subarray(0, 16).toString('latin1')).not.toMatch(/SQLite format/);
    }
  });
});
