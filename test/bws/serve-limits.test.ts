import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwsClient } from '../../src/engine/bws/client.js';
import { BwsCallError } from '../../src/engine/bws/errors.js';
import { SERVE_LIMIT_FLAGS, parseServeLimits } from '../../src/engine/bws-local/serve-limits.js';
import { StationError } from '../../src/shared/errors.js';
import { type FloodConnection, type ServeProcess, floodConnection, oversizedCall, repoRoot, serveProcess, until } from './helpers.js';

const stationBin = path.join(repoRoot, 'bin', 'station.js');

describe('limits of station bws serve: reading the flags', () => {
  it('without flags, the defaults; megapixels become pixels', () => {
    expect(parseServeLimits({})).toEqual({
      maxConcurrentAnalyses: 2,
      maxQueuedAnalyses: 16,
      maxRequestPixels: 100_000_000,
      maxConnectionsPerClient: 8,
      maxStreamsPerConnection: 16,
      maxMetadataBytes: 16_384,
    });
    expect(parseServeLimits({ maxRequestMegapixels: '2.5', maxQueuedAnalyses: '0', maxConcurrentAnalyses: ' 4 ' })).toMatchObject({ maxRequestPixels: 2_500_000, maxQueuedAnalyses: 0, maxConcurrentAnalyses: 4 });
  });

  it.each([
    ['maxConcurrentAnalyses', '0', /--max-concurrent-analyses must be a whole number from 1 to 32 \(got "0"\)/],
    ['maxConcurrentAnalyses', '1.5', /--max-concurrent-analyses must be a whole number/],
    ['maxQueuedAnalyses', '-1', /--max-queued-analyses must be a whole number from 0 to 10000 \(got "-1"\)/],
    ['maxRequestMegapixels', '1e9', /--max-request-megapixels must be a number from 1 to 1000 \(got "1e9"\)/],
    ['maxRequestMegapixels', '0.5', /--max-request-megapixels must be a number from 1 to 1000/],
    ['maxConnectionsPerClient', 'many', /--max-connections-per-client must be a whole number from 1 to 1000 \(got "many"\)/],
    ['maxStreamsPerConnection', '100000', /--max-streams-per-connection must be a whole number from 1 to 1000/],
    ['maxHeaderBytes', '100', /--max-header-bytes must be a whole number from 1024 to 1048576 \(got "100"\)/],
    ['maxHeaderBytes', '', /--max-header-bytes must be a whole number/],
  ])('refuses %s = "%s" with USAGE, the bounds and why', (property, value, message) => {
    let thrown: unknown;
    try {
      parseServeLimits({ [property]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StationError);
    expect(thrown).toMatchObject({ code: 'USAGE' });
    expect((thrown as StationError).message).toMatch(message);
    // Every refusal says why the bound is there, not only that it is.
    expect((thrown as StationError).message).toMatch(/\): .+\.$/);
  });

  it('every limit is a flag of `station bws serve --help` with its default and bounds', () => {
    const help = spawnSync(process.execPath, [stationBin, 'bws', 'serve', '--help'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    for (const limit of SERVE_LIMIT_FLAGS) expect(help).toContain(`--${limit.flag} <n> ${limit.description} (default ${limit.defaultValue}, ${limit.min}-${limit.max})`);
  });
});

// The service runs as the compiled CLI runs it; no request here needs the models, so none are loaded.
describe('limits of station bws serve: the flags reach the running service', { timeout: 180_000 }, () => {
  const flood: FloodConnection[] = [];
  let server: ServeProcess;
  let port = 0;
  let client: BwsClient;

  beforeAll(async () => {
    server = await serveProcess(['--max-connections-per-client', '2', '--max-streams-per-connection', '3', '--max-header-bytes', '2048', '--max-request-megapixels', '1', '--max-concurrent-analyses', '1', '--max-queued-analyses', '0']);
    port = server.port;
    client = new BwsClient({ endpoint: `http://127.0.0.1:${port}`, ...server.credentials });
  });
  afterAll(async () => {
    for (const connection of flood) connection.session.destroy();
    client?.close();
    await server?.stop();
  });

  it('says which limits it runs with', async () => {
    expect(await until(() => server.stderr().includes('limits:'), 10_000)).toBe(true);
    expect(server.stderr()).toContain('limits: 1 analyses at once, 0 waiting, 1 MP per request, 2 connections per client, 3 calls per connection, 2048 header bytes.');
  });

  it('--max-request-megapixels: a 1.2 MP request is refused before decoding', async () => {
    const image = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
    const refused = await client.enroll('5', [image]).catch((error: unknown) => error);
    expect(refused).toMatchObject({ grpcCodeName: 'INVALID_ARGUMENT' });
    expect((refused as BwsCallError).message).toMatch(/declare 1\.2 MP together; the service analyses at most 1\.0 MP per request/);
  });

  it('--max-header-bytes: a 3,000-byte authorization header is refused with RESOURCE_EXHAUSTED', async () => {
    const clients: grpc.Client[] = [];
    const refused = await oversizedCall(`127.0.0.1:${port}`, 3000, clients);
    for (const opened of clients) opened.close();
    expect(refused?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused?.details).toMatch(/exceed the service's limit of 2048 bytes/);
  });

  it('--max-connections-per-client and --max-streams-per-connection: 2 of 5 connections from one address, 3 calls each; the refusal is logged', async () => {
    for (let index = 0; index < 5; index++) flood.push(floodConnection(port, '127.0.0.3'));
    const outcomes = await Promise.all(flood.map((connection) => connection.accepted));
    expect(outcomes.filter(Boolean).length).toBe(2);
    for (const [index, connection] of flood.entries()) if (outcomes[index]) expect(connection.session.remoteSettings.maxConcurrentStreams).toBe(3);
    // One line for the first refusal; the others of the same minute are counted, not logged.
    expect(await until(() => server.stderr().includes('Refused a connection from 127.0.0.3: it already holds 2 (--max-connections-per-client).'), 10_000)).toBe(true);
    expect(server.stderr().match(/Refused a connection/g)).toHaveLength(1);
  });
});
