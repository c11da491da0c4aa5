import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFolderInfo } from '../../src/engine/store/folder-info.js';
import { keyCheckValue } from '../../src/engine/store/keys.js';

/**
 * Plays Electron's utility process in plain Node: gives the bundled entry a `process.parentPort`, hands it a
 * port, sends init with a keystore-mode folder's key (as main does after unwrapping it), then calls info,
 * a refused listJobs and analyzeStill over the RPC, and one frame over a frame port. The natives are loaded by name, as the app loads them.
 */
const HARNESS = `
import { EventEmitter } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
const [entry, dataDir, keyBase64, photo] = process.argv.slice(2);
const parent = new EventEmitter();
process.parentPort = { on: (event, listener) => parent.on(event, listener), once: (event, listener) => parent.once(event, listener) };
await import(entry);
const { port1, port2 } = new MessageChannel();
const electronShaped = { postMessage: (m) => port2.postMessage(m), on: (e, l) => port2.on(e, (data) => l({ data, ports: [] })), off() {}, start() {} };
parent.emit('message', { data: { t: 'port' }, ports: [electronShaped] });
const replies = [];
// A frame port, as main hands one over for a window: a grey frame comes back as guidance (no face).
const frames = new MessageChannel();
const framesShaped = { postMessage: (m) => frames.port2.postMessage(m), on: (e, l) => frames.port2.on(e, (data) => l({ data, ports: [] })), off() {}, start() {} };
parent.emit('message', { data: { t: 'frames' }, ports: [framesShaped] });
frames.port1.on('message', (m) => {
  replies.push({ id: 4, ok: m.t === 'guidance', value: m.guidance });
  finish();
});
function finish() {
  if (replies.length === 4) {
    console.log(JSON.stringify(replies.sort((a, b) => a.id - b.id)));
    process.exit(0);
  }
}
port1.on('message', (m) => {
  if (m.t === 'ready') {
    const grey = new Uint8Array(64 * 48 * 4).fill(128);
    frames.port1.postMessage({ t: 'frame', id: 1, width: 64, height: 48, data: grey.buffer }, [grey.buffer]);
    port1.postMessage({ t: 'req', id: 1, method: 'info', args: [] });
    port1.postMessage({ t: 'req', id: 2, method: 'listJobs', args: [{ state: 'nonsense' }] });
    port1.postMessage({ t: 'req', id: 3, method: 'analyzeStill', args: [{ name: 'photo.jpg', bytes: new Uint8Array(readFileSync(photo)) }] });
  } else if (m.t === 'fatal') {
    console.log(JSON.stringify(m));
    process.exit(1);
  } else if (m.t === 'res') {
    replies.push(m);
    finish();
  }
});
port1.postMessage({ t: 'init', dataDir, key: new Uint8Array(Buffer.from(keyBase64, 'base64')) });
`;

export type RpcReply = { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } };

export interface EngineRun {
  status: number | null;
  stderr: string;
  dataDir: string;
  /** info, listJobs (refused), analyzeStill, and the guidance for a frame, when the engine started. */
  replies: RpcReply[] | null;
  /** The handshake's error when the engine refused to start. */
  fatal: { code: string; message: string } | null;
}

/** Runs the engine entry (a built out/main/engine-process.js) in plain Node from `cwd`, in folder `work`. */
export function runEngineEntry(entryFile: string, options: { work: string; photo: string; cwd: string; env?: NodeJS.ProcessEnv }): EngineRun {
  const dataDir = path.join(options.work, 'data');
  const key = randomBytes(32);
  // What main's safeStorage provider leaves behind (the wrapped key itself is not needed by the engine).
  writeFolderInfo(dataDir, { formatVersion: 1, createdAt: new Date().toISOString(), keyMode: 'keystore', keySource: 'safeStorage', keyCheck: keyCheckValue(key), wrappedKey: 'AA==', keystoreBackend: 'gnome_libsecret' });
  const harness = path.join(options.work, 'harness.mjs');
  fs.writeFileSync(harness, HARNESS);
  const result = spawnSync(process.execPath, [harness, pathToFileURL(entryFile).href, dataDir, key.toString('base64'), options.photo], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: options.env ?? process.env,
  });
  const last = JSON.parse(result.stdout.trim().split('\n').at(-1) || 'null') as RpcReply[] | { t: 'fatal'; error: { code: string; message: string } } | null;
  const fatal = last && !Array.isArray(last) ? last.error : null;
  return { status: result.status, stderr: result.stderr, dataDir, replies: Array.isArray(last) ? last : null, fatal };
}
