/**
 * The browser tests' stand-in for the preload: a `window.station` that satisfies the same StationApi and
 * reaches the engine in the test process over HTTP (requests) and server-sent events (events). Bytes travel
 * as base64 inside JSON. Transpiled (types stripped) and served to the page before the app's own script.
 */
import type { StationApi } from '../../src/shared/contract.js';
import type { SyncStatus } from '../../src/shared/schemas.js';

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

const encode = (value: unknown) => JSON.stringify(value, (_key, item: unknown) => (item instanceof Uint8Array ? { $bytes: toBase64(item) } : item));
const decode = (text: string): unknown => JSON.parse(text, (_key, item: unknown) => (item && typeof item === 'object' && typeof (item as { $bytes?: unknown }).$bytes === 'string' ? fromBase64((item as { $bytes: string }).$bytes) : item));

function request(method: string) {
  return async (...args: unknown[]): Promise<never> => {
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    const response = await fetch(`/__station/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encode(args) });
    const reply = decode(await response.text()) as { ok: true; value: never } | { ok: false; error: { code: string; message: string } };
    if (reply.ok) return reply.value;
    // Same rejection shape as the preload: a plain {code, message} value.
    throw { code: reply.error.code, message: reply.error.message };
  };
}

const listeners = { syncStatus: new Set<(payload: unknown) => void>(), jobsChanged: new Set<(payload: unknown) => void>() };
const events = new EventSource('/__station/events');
events.addEventListener('syncStatus', (event) => listeners.syncStatus.forEach((listener) => listener(decode((event as MessageEvent<string>).data))));
events.addEventListener('jobsChanged', () => listeners.jobsChanged.forEach((listener) => listener(null)));

function subscribe(channel: keyof typeof listeners, listener: (payload: unknown) => void): () => void {
  listeners[channel].add(listener);
  return () => {
    listeners[channel].delete(listener);
  };
}

const station = {
  info: request('info'),
  doctor: request('doctor'),
  analyzeStill: request('analyzeStill'),
  analyzeFrame: request('analyzeFrame'),
  enroll: request('enroll'),
  listJobs: request('listJobs'),
  retryJob: request('retryJob'),
  discardJob: request('discardJob'),
  syncNow: request('syncNow'),
  syncStatus: request('syncStatus'),
  getSettings: request('getSettings'),
  setSetting: request('setSetting'),
  adminStatus: request('adminStatus'),
  unlockAdmin: request('unlockAdmin'),
  lockAdmin: request('lockAdmin'),
  setAdminPin: request('setAdminPin'),
  onSyncStatus: (listener: (status: SyncStatus) => void) => subscribe('syncStatus', (payload) => listener(payload as SyncStatus)),
  onJobsChanged: (listener: () => void) => subscribe('jobsChanged', () => listener()),
} satisfies StationApi;

/**
 * The frame port, as the preload relays it in the app: the page asks with a window message, gets a
 * MessagePort, and posts raw RGBA frames on it with their buffers transferred. Here the other end forwards
 * each frame as a binary POST to the test process, which hands it to the engine's frame server on its own
 * port, and posts the engine's answer back. (Same message names as src/shared/frames.ts.)
 */
window.addEventListener('message', (event) => {
  if (event.source !== window || event.data !== 'station:frame-port-request') return;
  const channel = new MessageChannel();
  channel.port1.onmessage = async (message: MessageEvent<{ t?: string; id: number; width: number; height: number; data: ArrayBuffer }>) => {
    const frame = message.data;
    if (frame?.t !== 'frame') return;
    try {
      // A Blob body, not the ArrayBuffer itself: Chromium copies an ArrayBuffer body into the DevTools
      // request event (base64) that Playwright receives and parses for every request, about 0.2 s of CPU per
      // 0.9 MB frame across three processes, a cost of the test driver that the app's MessagePort never pays.
      const response = await fetch(`/__station/frame?id=${frame.id}&width=${frame.width}&height=${frame.height}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Blob([frame.data]) });
      channel.port1.postMessage(await response.json());
    } catch {
      // The test process went away: no answer, as with a dead engine; the page asks for a new port.
    }
  };
  window.postMessage('station:frame-port', '*', [channel.port2]);
});

Object.defineProperty(window, 'station', { value: Object.freeze(station), configurable: false, writable: false });

export {};
