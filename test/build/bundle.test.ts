import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { face } from '../helpers/paths.js';
import { runEngineEntry } from './engine-harness.js';
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

describe('the bundled engine entry', () => {
  it('refuses to run outside the utility process with one sentence', () => {
    const result = spawnSync(process.execPath, [path.join(out, 'main/engine-process.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^engine-process: this entry runs inside the Enrollment Station app; use `npx station`/);
  });

  it('starts the real engine from the bundle, over the port handshake, and answers RPC', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-bundle-'));
    try {
      const run = runEngineEntry(path.join(out, 'main/engine-process.js'), { work, photo: face('obama.jpg'), cwd: repo });
      expect(run.status, run.stderr).toBe(0);
      const [info, refused, analysed, framed] = run.replies!;
      expect(info).toMatchObject({ ok: true, value: { dataDir: run.dataDir, keyMode: 'keystore' } });
      expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
      // The bundled engine runs the models (on its inference worker) and answers with plain data, no embedding.
      expect(analysed).toMatchObject({ ok: true, value: { ok: true, primary: 0, accepted: true } });
      expect(analysed!.value).not.toHaveProperty('embedding');
      // Frames handed over on a frame port reach the real live path (a grey frame has no face).
      expect(framed).toMatchObject({ ok: true, value: { faceFound: false, ready: false } });
      expect(fs.existsSync(path.join(run.dataDir, 'queue.db'))).toBe(true);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
