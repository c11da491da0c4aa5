import { randomUUID } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/shared/schemas.js';
import { StationError } from '../../src/shared/errors.js';
import { hostEngine } from '../../src/engine/host/engine-host.js';
import { createStationClient, serveStationApi } from '../../src/engine/host/rpc.js';
import { nodePortTransport } from '../../src/engine/host/transport.js';
import { MemoryStation } from '../stubs/memory-station.js';

const channels: MessageChannel[] = [];
function pair() {
  const channel = new MessageChannel();
  channels.push(channel);
  return { server: nodePortTransport(channel.port1), client: nodePortTransport(channel.port2), raw: channel.port2 };
}
afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

const nextMessage = (port: MessageChannel['port2']) => new Promise<unknown>((resolve) => port.once('message', resolve));

describe('station RPC over a real MessageChannel', () => {
  it('round-trips every kind of value, including raw RGBA frames, intact', async () => {
    const { server, client } = pair();
    const engine = new MemoryStation();
    serveStationApi(server, engine);
    const api = createStationClient(client);

    expect(await api.info()).toEqual({ version: '0.0.0-test', dataDir: '/tmp/memory-station', keyMode: 'headless', locale: 'en', systemLocales: ['en-US'] });
    const data = new Uint8Array(640 * 480 * 4);
    for (let i = 0; i < data.length; i += 4) data[i] = data[i + 1] = data[i + 2] = (i / 4) % 640 < 320 ? 250 : 0;
    const guidance = await api.analyzeFrame({ width: 640, height: 480, data });
    // Left half bright: the bright mass is centred at a quarter of the width, which only the real pixels give.
    expect(guidance.prompts[0]!.message).toBe('No face found (frame 640x480, brightness 125, centre 25%).');
    const job = engine.addJob('9223372036854775807', 'retry_wait');
    expect(await api.listJobs({ state: 'retry_wait' })).toEqual([job]);
    expect(await api.retryJob('all')).toBe(1);
    expect(await api.discardJob(job.id, 'wrong person')).toBeUndefined();
    expect(engine.jobs[0]!.state).toBe('discarded');
  });

  it('validates again at the engine port: a bad request never reaches the implementation', async () => {
    const { server, client } = pair();
    const engine = new MemoryStation();
    serveStationApi(server, engine);
    const api = createStationClient(client);
    // The client does not validate (main does); the engine port must refuse on its own.
    await expect(api.analyzeFrame({ width: 8, height: 8, data: new Uint8Array(256) })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(api.enroll({ classId: '-1', images: [{ name: 'a', bytes: new Uint8Array(1) }], force: false })).rejects.toMatchObject({ code: 'INVALID_CLASS_ID' });
    await expect((api.retryJob as (...args: unknown[]) => Promise<number>)('all', 'extra')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(engine.calls).toEqual([]);
  });

  it('answers unknown methods and malformed messages with an error value or not at all', async () => {
    const { server, raw } = pair();
    const engine = new MemoryStation();
    serveStationApi(server, engine);
    raw.postMessage({ t: 'req', id: 7, method: 'constructor', args: [] });
    expect(await nextMessage(raw)).toEqual({ t: 'res', id: 7, ok: false, error: { code: 'INVALID_REQUEST', message: 'Unknown station request "constructor".' } });
    raw.postMessage({ t: 'req', id: 8, method: 'onSyncStatus', args: [] });
    expect(await nextMessage(raw)).toMatchObject({ id: 8, ok: false, error: { code: 'INVALID_REQUEST' } });
    raw.postMessage('garbage');
    raw.postMessage({ t: 'req', id: 'x', method: 'info', args: [] });
    raw.postMessage({ t: 'req', id: 9, method: 'info', args: [] });
    expect(await nextMessage(raw)).toMatchObject({ id: 9, ok: true });
    expect(engine.calls.map((call) => call.method)).toEqual(['info']);
  });

  it('carries engine errors as {code, message}: StationErrors keep their code, others become INTERNAL', async () => {
    const { server, client } = pair();
    const engine = new MemoryStation();
    engine.doctor = async () => {
      throw new Error('native failure');
    };
    serveStationApi(server, engine);
    const api = createStationClient(client);
    const missing = randomUUID();
    const error = await api.discardJob(missing, 'gone').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StationError);
    expect(error).toMatchObject({ code: 'JOB_NOT_FOUND', message: `No job ${missing} in the queue.` });
    await expect(api.doctor()).rejects.toMatchObject({ code: 'INTERNAL', message: 'native failure' });
  });

  it('pushes events to subscribers until they unsubscribe', async () => {
    const { server, client } = pair();
    const engine = new MemoryStation();
    serveStationApi(server, engine);
    const api = createStationClient(client);
    const statuses: SyncStatus[] = [];
    let jobsChanged = 0;
    const stopStatus = api.onSyncStatus((status) => statuses.push(status));
    api.onJobsChanged(() => (jobsChanged += 1));
    const sent = engine.emitSyncStatus();
    engine.addJob('5', 'queued');
    await api.info(); // a round trip: every event sent before the reply has arrived
    expect(statuses).toEqual([sent]);
    expect(jobsChanged).toBe(1);
    stopStatus();
    engine.emitSyncStatus();
    await api.info();
    expect(statuses).toHaveLength(1);
  });

  it('dispose fails the requests still in flight and every later one', async () => {
    const { server, client } = pair();
    const engine = new MemoryStation();
    let release!: () => void;
    engine.syncNow = () => new Promise((resolve) => (release = () => resolve(engine.syncStatus())));
    serveStationApi(server, engine);
    const api = createStationClient(client);
    const inFlight = api.syncNow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.pendingCount()).toBe(1);
    api.dispose({ code: 'ENGINE_RESTARTED', message: 'gone' });
    await expect(inFlight).rejects.toMatchObject({ code: 'ENGINE_RESTARTED' });
    await expect(api.info()).rejects.toMatchObject({ code: 'ENGINE_RESTARTED' });
    release();
  });
});

describe('engine host handshake', () => {
  it('builds the station from init and serves it', async () => {
    const { server, client, raw } = pair();
    const engine = new MemoryStation();
    let seen: { dataDir: string; key: Uint8Array } | null = null;
    const hosting = hostEngine(server, (init) => {
      seen = init;
      return engine;
    });
    const key = new Uint8Array(32).fill(9);
    const ready = nextMessage(raw);
    client.send({ t: 'init', dataDir: '/data/station', key });
    expect(await ready).toEqual({ t: 'ready' });
    expect(await hosting).not.toBeNull();
    expect(seen!.dataDir).toBe('/data/station');
    expect(Buffer.from(seen!.key).equals(Buffer.from(key))).toBe(true);
    expect(await createStationClient(client).doctor()).toMatchObject({ ok: true });
  });

  it('answers fatal for a bad key or a failing build', async () => {
    const first = pair();
    const reply = nextMessage(first.raw);
    const hosting = hostEngine(first.server, () => new MemoryStation());
    first.client.send({ t: 'init', dataDir: '/d', key: new Uint8Array(16) });
    expect(await reply).toEqual({ t: 'fatal', error: { code: 'KEY_INVALID', message: 'The engine was handed a key that is not 32 bytes.' } });
    expect(await hosting).toBeNull();

    const second = pair();
    const failed = nextMessage(second.raw);
    void hostEngine(second.server, () => {
      throw new StationError('KEY_WRONG', 'That key does not open the queue.');
    });
    second.client.send({ t: 'init', dataDir: '/d', key: new Uint8Array(32) });
    expect(await failed).toEqual({ t: 'fatal', error: { code: 'KEY_WRONG', message: 'That key does not open the queue.' } });
  });
});
