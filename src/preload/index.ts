/**
 * The preload: `window.station` is the contract and nothing else. Every request goes through
 * ipcRenderer.invoke to main (which checks the sender and validates the payload); every event callback gets
 * only the data, never the IpcRendererEvent (which would expose `sender`, i.e. ipcRenderer itself).
 * Errors arrive as `{code, message}` values and are rejected as such (contextBridge would strip an Error's code).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { REQUEST_METHODS, type EventChannel, type RequestMethod, type StationApi } from '../shared/contract.js';
import type { SyncStatus } from '../shared/schemas.js';
import { eventChannel, requestChannel, type IpcReply } from '../main/ipc-channels.js';
import { relayFramePorts, type RelayWindow } from './frame-port.js';

function request(method: RequestMethod) {
  return async (...args: unknown[]): Promise<unknown> => {
    // An optional argument passed as undefined (listJobs(undefined)) means "not given", as in plain JS.
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    const reply = (await ipcRenderer.invoke(requestChannel(method), ...args)) as IpcReply;
    if (reply && reply.ok === true) return reply.value;
    const error = reply && reply.ok === false ? reply.error : { code: 'INTERNAL', message: 'The station sent no answer.' };
    throw { code: error.code, message: error.message };
  };
}

function subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void {
  const handler = (_event: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(eventChannel(channel), handler);
  return () => {
    ipcRenderer.removeListener(eventChannel(channel), handler);
  };
}

const requests = Object.fromEntries(REQUEST_METHODS.map((method) => [method, request(method)])) as unknown as Pick<StationApi, RequestMethod>;

export const stationBridge = {
  ...requests,
  onSyncStatus: (listener: (status: SyncStatus) => void) => subscribe('syncStatus', (payload) => listener(payload as SyncStatus)),
  onJobsChanged: (listener: () => void) => subscribe('jobsChanged', () => listener()),
} satisfies StationApi;

contextBridge.exposeInMainWorld('station', stationBridge);

// Live frames travel on their own MessagePort straight to the engine (no contextBridge copy, no IPC queue).
// The shell's tests load this module in Node, where there is no window.
const page = (globalThis as { window?: RelayWindow }).window;
if (page) relayFramePorts(page, ipcRenderer);
