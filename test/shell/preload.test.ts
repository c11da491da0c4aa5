import { beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_METHODS, type StationApi } from '../../src/shared/contract.js';
import type { SyncStatus } from '../../src/shared/schemas.js';
import { contextBridge, ipcMain, ipcRenderer, ipcStub, resetElectronStub } from '../stubs/electron.js';
import { MemoryStation } from '../stubs/memory-station.js';
import { registerIpcHandlers } from '../../src/main/ipc.js';

let station: StationApi;
let engine: MemoryStation;

beforeAll(async () => {
  resetElectronStub();
  engine = new MemoryStation();
  // The whole chain: preload -> (stub IPC, structured clone) -> main's handlers -> engine.
  registerIpcHandlers(ipcMain as never, engine);
  await import('../../src/preload/index.js');
  station = contextBridge.exposed.get('station') as StationApi;
});

describe('preload', () => {
  it('exposes exactly one thing, `station`, with exactly the contract', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['station']);
    expect(Object.keys(station).sort()).toEqual([...REQUEST_METHODS, 'onSyncStatus', 'onJobsChanged'].sort());
    for (const value of Object.values(station)) expect(typeof value).toBe('function');
  });

  it('requests travel over invoke to main and back as plain data', async () => {
    const info = await station.info();
    expect(info).toEqual({ version: '0.0.0-test', dataDir: '/tmp/memory-station', keyMode: 'headless', locale: 'en', systemLocales: ['en-US'] });
    const frame = { width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(10) };
    const guidance = await station.analyzeFrame(frame);
    expect(guidance.prompts[0]!.message).toMatch(/^Too dark/);
    expect(engine.calls.at(-1)).toEqual({ method: 'analyzeFrame', args: [{ width: 16, height: 16, bytes: 1024 }] });
  });

  it('rejects with a {code, message} value (an Error would lose its code at the context bridge)', async () => {
    await expect(station.enroll({ classId: '12x', images: [{ name: 'a', bytes: new Uint8Array(1) }], force: false })).rejects.toEqual({ code: 'INVALID_CLASS_ID', message: expect.any(String) });
    ipcStub.senderEvent = { senderFrame: { url: 'https://evil.example/', parent: null } };
    await expect(station.info()).rejects.toEqual({ code: 'UNTRUSTED_SENDER', message: expect.any(String) });
    ipcStub.senderEvent = { senderFrame: { url: 'app://station/index.html', parent: null } };
  });

  it('event callbacks receive only the data, never the IPC event', () => {
    const seen: unknown[][] = [];
    const unsubscribe = station.onSyncStatus((...args: unknown[]) => seen.push(args));
    const jobs: unknown[][] = [];
    const stopJobs = station.onJobsChanged((...args: unknown[]) => jobs.push(args));
    const status: SyncStatus = { connectivity: 'offline', running: false, paused: null, counts: { queued: 1 }, lastSyncAt: null, lastResult: null };
    ipcRenderer.deliver('station:event:syncStatus', status);
    ipcRenderer.deliver('station:event:jobsChanged', null);
    expect(seen).toEqual([[status]]);
    expect(jobs).toEqual([[]]);
    for (const args of [...seen, ...jobs]) for (const arg of args) expect(arg).not.toHaveProperty('sender');

    unsubscribe();
    stopJobs();
    ipcRenderer.deliver('station:event:syncStatus', status);
    ipcRenderer.deliver('station:event:jobsChanged', null);
    expect(seen).toHaveLength(1);
    expect(jobs).toHaveLength(1);
    expect(ipcRenderer.listenerCount('station:event:syncStatus')).toBe(0);
  });
});

describe('preload optional arguments', () => {
  it('treats a trailing undefined as an argument not given (listJobs(undefined) lists everything)', async () => {
    const job = engine.addJob('31', 'queued');
    expect(await station.listJobs(undefined)).toContainEqual(job);
    expect(engine.calls.at(-1)).toEqual({ method: 'listJobs', args: [] });
  });
});
