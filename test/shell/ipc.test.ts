import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { REQUEST_METHODS } from '../../src/shared/contract.js';
import { StationError } from '../../src/shared/errors.js';
import { ipcMain, resetElectronStub } from '../stubs/electron.js';
import { MemoryStation } from '../stubs/memory-station.js';
import { isTrustedSender, registerIpcHandlers } from '../../src/main/ipc.js';

const trusted = { senderFrame: { url: 'app://station/index.html', parent: null } };

async function call(channel: string, event: unknown, ...args: unknown[]) {
  const handler = ipcMain.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return (await handler(event, ...args)) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

describe('IPC bridge in main', () => {
  let engine: MemoryStation;
  beforeEach(() => {
    resetElectronStub();
    engine = new MemoryStation();
    registerIpcHandlers(ipcMain as never, engine);
  });

  it('registers one handler per request method of the contract', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(REQUEST_METHODS.map((method) => `station:${method}`).sort());
  });

  it('forwards a valid request from the app main frame and returns plain data', async () => {
    const job = engine.addJob('9223372036854775807', 'needs_attention');
    const reply = await call('station:listJobs', trusted, { state: 'needs_attention' });
    expect(reply.ok).toBe(true);
    expect(reply.value).toEqual([job]);
    expect(engine.calls.at(-1)).toEqual({ method: 'listJobs', args: [{ state: 'needs_attention' }] });
    // Defaults of the schema are applied before the engine sees the request.
    const enrolled = await call('station:enroll', trusted, { classId: '42', images: [{ name: 'a.jpg', bytes: new Uint8Array([0xff, 0xd8, 1]) }] });
    expect(enrolled.ok).toBe(true);
    expect((engine.calls.at(-1)!.args[0] as { force: boolean }).force).toBe(false);
    // The one class-id rule: a padded badge code reaches the engine as its canonical class id.
    const padded = await call('station:enroll', trusted, { classId: ' 00042 ', images: [{ name: 'a.jpg', bytes: new Uint8Array([0xff, 0xd8, 1]) }] });
    expect(padded.ok).toBe(true);
    expect((engine.calls.at(-1)!.args[0] as { classId: string }).classId).toBe('42');
  });

  it.each([
    ['an iframe of the app', { senderFrame: { url: 'app://station/index.html', parent: { url: 'app://station/index.html' } } }],
    ['another origin', { senderFrame: { url: 'https://evil.example/', parent: null } }],
    ['a file:// page', { senderFrame: { url: 'file:///tmp/x.html', parent: null } }],
    ['a look-alike host', { senderFrame: { url: 'app://station.evil/index.html', parent: null } }],
    ['a destroyed frame', { senderFrame: null }],
    ['no frame at all', {}],
  ])('refuses a request from %s before it reaches the engine', async (_label, event) => {
    const reply = await call('station:info', event);
    expect(reply).toEqual({ ok: false, error: { code: 'UNTRUSTED_SENDER', message: expect.stringContaining('refused') } });
    expect(engine.calls).toEqual([]);
  });

  it('isTrustedSender accepts only the app main frame', () => {
    expect(isTrustedSender(trusted)).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: 'app://station/', parent: {} } })).toBe(false);
  });

  it.each([
    ['listJobs', [{ state: 'lost' }], 'INVALID_REQUEST'],
    ['listJobs', [{ state: 'queued', sql: '1=1' }], 'INVALID_REQUEST'],
    ['info', ['extra'], 'INVALID_REQUEST'],
    ['enroll', [{ classId: 42, images: [{ name: 'a.jpg', bytes: new Uint8Array([1]) }] }], 'INVALID_CLASS_ID'],
    ['enroll', [{ classId: '000', images: [{ name: 'a.jpg', bytes: new Uint8Array([1]) }] }], 'INVALID_CLASS_ID'],
    ['enroll', [{ classId: '9223372036854775808', images: [{ name: 'a.jpg', bytes: new Uint8Array([1]) }] }], 'INVALID_CLASS_ID'],
    ['enroll', [{ classId: '7', images: [] }], 'INVALID_REQUEST'],
    ['enroll', [{ classId: '7', images: [{ name: 'a.jpg', bytes: 'not bytes' }] }], 'INVALID_REQUEST'],
    ['analyzeFrame', [{ width: 640, height: 480, data: new Uint8Array(10) }], 'INVALID_REQUEST'],
    ['analyzeFrame', [{ width: 1920, height: 1080, data: new Uint8Array(1920 * 1080 * 4) }], 'INVALID_REQUEST'],
    ['analyzeStill', [{ name: 'x'.repeat(300), bytes: new Uint8Array(4) }], 'INVALID_REQUEST'],
    ['retryJob', ['1; DROP TABLE jobs'], 'INVALID_REQUEST'],
    ['discardJob', [randomUUID(), ''], 'INVALID_REQUEST'],
    ['discardJob', ['not-a-uuid', 'duplicate photo'], 'INVALID_REQUEST'],
    ['setSetting', ['', 'x'], 'INVALID_REQUEST'],
  ])('rejects a bad %s payload with a coded error and never calls the engine', async (method, args, code) => {
    const reply = await call(`station:${method}`, trusted, ...args);
    expect(reply.ok).toBe(false);
    expect(reply.error!.code).toBe(code);
    expect(reply.error!.message).toMatch(new RegExp(`^The ${method} request was refused: `));
    expect(engine.calls).toEqual([]);
  });

  it('turns engine failures into {code, message} values without stacks', async () => {
    const reply = await call('station:discardJob', trusted, randomUUID(), 'wrong person');
    expect(reply).toEqual({ ok: false, error: { code: 'JOB_NOT_FOUND', message: expect.stringMatching(/^No job /) } });
    const broken = new MemoryStation();
    broken.info = async () => {
      throw new TypeError('boom at /secret/path.js:12');
    };
    resetElectronStub();
    registerIpcHandlers(ipcMain as never, broken);
    const internal = await call('station:info', trusted);
    expect(internal).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom at /secret/path.js:12' } });
    expect(Object.keys(internal.error!)).toEqual(['code', 'message']);
    broken.info = async () => {
      throw new StationError('DB_LOCKED', 'The queue is busy.');
    };
    expect(await call('station:info', trusted)).toEqual({ ok: false, error: { code: 'DB_LOCKED', message: 'The queue is busy.' } });
  });
});
