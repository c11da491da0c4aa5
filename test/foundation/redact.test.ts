import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../src/engine/bws/endpoint.js';
import { endpointDoctorChecks } from '../../src/engine/bws/doctor-check.js';
import { redactLogText } from '../../src/engine/logs.js';
import { StationError, toErrorInfo } from '../../src/shared/errors.js';
import { redactUrlCredentials } from '../../src/shared/redact.js';
import { stationBin, tempDir } from '../helpers/paths.js';

const SECRET = 'hunter2-secret';

function station(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [stationBin, ...args], { env: { ...process.env, NO_COLOR: '1', BWS_ENDPOINT: '', BWS_CLIENT_ID: '', BWS_KEY: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('URL user info is never printed', () => {
  it('the helper hides user and password of every URL in a text, and leaves other text alone', () => {
    expect(redactUrlCredentials(`use http://user:${SECRET}@10.0.0.5:8080 or https://${SECRET}@face.bws-eu.bioid.com`)).toBe('use http://***@10.0.0.5:8080 or https://***@face.bws-eu.bioid.com');
    expect(redactUrlCredentials('https://face.bws-eu.bioid.com:443 and mail me at a@b.example')).toBe('https://face.bws-eu.bioid.com:443 and mail me at a@b.example');
  });

  it('endpoint errors, coded errors and plain errors quote the endpoint without its password', () => {
    let message = '';
    try {
      parseEndpoint(`http://operator:${SECRET}@127.0.0.1:9000`);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Endpoint "http:\/\/\*\*\*@127\.0\.0\.1:9000" must be only scheme:\/\/host:port/);
    expect(message).not.toContain(SECRET);
    expect(() => parseEndpoint(`ftp://u:${SECRET}@host`)).toThrow(/ftp:\/\/\*\*\*@host/);
    expect(new StationError('BWS_UNAVAILABLE', `cannot reach https://u:${SECRET}@h`).message).not.toContain(SECRET);
    expect(toErrorInfo(new Error(`connect to http://u:${SECRET}@h failed`)).message).not.toContain(SECRET);
    expect(redactLogText(`engine: endpoint http://u:${SECRET}@h:80 unreachable`)).toBe('engine: endpoint http://***@h:80 unreachable');
  });

  it('station doctor, config set and the bws admin commands never echo it', async () => {
    const checks = await endpointDoctorChecks({ env: { BWS_ENDPOINT: `https://admin:${SECRET}@face.bws-eu.bioid.com` }, network: false });
    expect(JSON.stringify(checks)).not.toContain(SECRET);
    expect(JSON.stringify(checks)).toContain('***@face.bws-eu.bioid.com');

    const dataDir = path.join(tempDir('station-redact-'), 'data');
    const env = { STATION_DB_KEY: Buffer.alloc(32, 7).toString('base64') };
    const endpoint = `http://admin:${SECRET}@127.0.0.1:9`;
    const runs = await Promise.all([
      station(['--data-dir', dataDir, 'config', 'set', 'endpoint', endpoint], env),
      station(['--data-dir', dataDir, '--json', 'bws', 'health', '--endpoint', endpoint], env),
      station(['--data-dir', dataDir, 'doctor', '--no-network'], { ...env, BWS_ENDPOINT: endpoint }),
      station(['--data-dir', dataDir, '--debug', 'bws', 'status', '--class-id', '1', '--endpoint', endpoint, '--client-id', 'c', '--key', Buffer.alloc(64).toString('base64')], env),
    ]);
    for (const run of runs) {
      expect(run.output).toContain('***@127.0.0.1');
      expect(run.output).not.toContain(SECRET);
    }
  });
});
