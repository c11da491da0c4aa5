import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFolderInfo } from '../../src/engine/store/folder-info.js';
import { face } from '../helpers/paths.js';
import { keyCheckValue } from '../../src/engine/store/keys.js';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const out = path.join(repo, 'out');
const NATIVE_MODULES = ['better-sqlite3-multiple-ciphers', 'onnxruntime-node', 'sharp'];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

let build: ReturnType<typeof spawnSync>;

beforeAll(() => {
  // The real build, exactly as `npm start` and packaging run it (it needs the Electron version, not the binary).
  build = spawnSync(process.execPath, [path.join(repo, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: repo, encoding: 'utf8', timeout: 180_000 });
}, 200_000);

describe('electron-vite build', () => {
  it('produces main, preload and renderer bundles', () => {
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    for (const file of ['main/index.js', 'main/engine-process.js', 'preload/index.cjs', 'renderer/index.html']) {
      expect(fs.existsSync(path.join(out, file)), file).toBe(true);
    }
  });

  it('keeps the native modules external: the main bundles load them by name and contain none of their code', () => {
    const mainFiles = filesUnder(path.join(out, 'main')).filter((file) => /\.(c|m)?js$/.test(file));
    const code = mainFiles.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    for (const name of NATIVE_MODULES) {
      const byName = new RegExp(`(from\\s*|import\\(\\s*|require\\(\\s*)["']${name}(/[^"']*)?["']`);
      expect(code, `${name} is loaded by name`).toMatch(byName);
      expect(code, `${name} is not inlined`).not.toContain(`node_modules/${name}/`);
    }
    // Fingerprints of the modules' own sources: none of them may be in the bundle.
    expect(code).not.toMatch(/bindings\(['"]better_sqlite3|onnxruntime_binding|sharp-\$\{|require\(['"]\.\/lib\/binding/);
    expect(filesUnder(out).filter((file) => file.endsWith('.node'))).toEqual([]);
  });

  it('bundles the sandboxed preload completely: it requires nothing but electron', () => {
    const preload = fs.readFileSync(path.join(out, 'preload/index.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]);
    expect(required).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("station"');
  });

  it('builds a renderer that the strict CSP allows: no inline scripts or styles, no Node', () => {
    const html = fs.readFileSync(path.join(out, 'renderer/index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\.\/assets\//);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle="/);
    const js = filesUnder(path.join(out, 'renderer')).filter((file) => file.endsWith('.js')).map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    expect(js).not.toMatch(/require\(["'](electron|node:|fs|child_process)/);
  });
});

/**
 * Plays Electron's utility process in plain Node: gives the bundled entry a `process.parentPort`, hands it a
 * port, sends init with a keystore-mode folder's key (as main does after unwrapping it), then calls info and
 * doctor over the RPC. This loads the natives by name from node_modules, as the packaged app does.
 */
const HARNESS = `
import { EventEmitter } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
const [entry, dataDir, keyBase64, photo] = process.argv.slice(2);
const parent = new EventEmitter();
process.parentPort = { once: (event, listener) => parent.once(event, listener) };
await import(entry);
const { port1, port2 } = new MessageChannel();
const electronShaped = { postMessage: (m) => port2.postMessage(m), on: (e, l) => port2.on(e, (data) => l({ data, ports: [] })), off() {}, start() {} };
parent.emit('message', { data: { t: 'port' }, ports: [electronShaped] });
const replies = [];
port1.on('message', (m) => {
  if (m.t === 'ready') {
    port1.postMessage({ t: 'req', id: 1, method: 'info', args: [] });
    port1.postMessage({ t: 'req', id: 2, method: 'listJobs', args: [{ state: 'nonsense' }] });
    port1.postMessage({ t: 'req', id: 3, method: 'analyzeStill', args: [{ name: 'photo.jpg', bytes: new Uint8Array(readFileSync(photo)) }] });
  } else if (m.t === 'fatal') {
    console.log(JSON.stringify(m));
    process.exit(1);
  } else if (m.t === 'res') {
    replies.push(m);
    if (replies.length === 3) {
      console.log(JSON.stringify(replies.sort((a, b) => a.id - b.id)));
      process.exit(0);
    }
  }
});
port1.postMessage({ t: 'init', dataDir, key: new Uint8Array(Buffer.from(keyBase64, 'base64')) });
`;

describe('the bundled engine entry', () => {
  it('refuses to run outside the utility process with one sentence', () => {
    const result = spawnSync(process.execPath, [path.join(out, 'main/engine-process.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^engine-process: this entry runs inside the Enrollment Station app; use `npx station`/);
  });

  it('starts the real engine from the bundle, over the port handshake, and answers RPC', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-bundle-'));
    try {
      const dataDir = path.join(work, 'data');
      const key = randomBytes(32);
      // What main's safeStorage provider leaves behind (the wrapped key itself is not needed by the engine).
      writeFolderInfo(dataDir, { formatVersion: 1, createdAt: new Date().toISOString(), keyMode: 'keystore', keySource: 'safeStorage', keyCheck: keyCheckValue(key), wrappedKey: 'AA==', keystoreBackend: 'gnome_libsecret' });
      const harness = path.join(work, 'harness.mjs');
      fs.writeFileSync(harness, HARNESS);
      const entry = pathToFileURL(path.join(out, 'main/engine-process.js')).href;
      const result = spawnSync(process.execPath, [harness, entry, dataDir, key.toString('base64'), face('obama.jpg')], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      const [info, refused, analysed] = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Array<{ ok: boolean; value?: Record<string, unknown>; error?: { code: string } }>;
      expect(info).toMatchObject({ ok: true, value: { dataDir, keyMode: 'keystore' } });
      expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
      // The bundled engine runs the models (on its inference worker) and answers with plain data, no embedding.
      expect(analysed).toMatchObject({ ok: true, value: { ok: true, primary: 0, accepted: true } });
      expect(analysed!.value).not.toHaveProperty('embedding');
      expect(fs.existsSync(path.join(dataDir, 'queue.db'))).toBe(true);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
