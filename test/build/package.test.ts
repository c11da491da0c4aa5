import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import asar from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import builderConfig, { FUSES } from '../../electron-builder.config.js';
import { loadManifest, verifyModels } from '../../src/engine/models/manifest.js';
import { face } from '../helpers/paths.js';
import { runEngineEntry } from './engine-harness.js';

/**
 * The packaged app's file set, made by electron-builder itself from electron-builder.config.js (`--dir`, the
 * unpacked Linux/Windows/macOS app of this machine) and read back with @electron/asar.
 *
 * Nothing is downloaded. With STATION_ELECTRON_DIST pointing at an unpacked Electron (the folder of an
 * electron-v45.x-<os>-<arch>.zip) the build uses that binary and flips the fuses as `npm run dist` does.
 * Build machines here have no Electron binary, so without it a placeholder file stands in for the binary:
 * every file rule, the asar, the unpacked natives and the models are still electron-builder's real output;
 * only the fuses (which patch the binary) and the native rebuild (which needs Electron's headers) are left
 * to CI, which runs `npm run dist` with internet access.
 *
 * The project is staged in a temporary folder (its own out/, so the bundle test's build is never raced;
 * node_modules and src linked) and the release goes to another one, outside any node_modules tree, so a
 * dependency missing from the package cannot be found by walking up.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const electronDist = process.env.STATION_ELECTRON_DIST;
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

let work: string;
let resources: string;
let appAsar: string;
let entries: string[];
let builderLog = '';

function run(command: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, command, { cwd, encoding: 'utf8', timeout: 600_000, env });
  builderLog += `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

function sizeOf(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.size;
  return fs.readdirSync(target).reduce((total, name) => total + sizeOf(path.join(target, name)), 0);
}

/**
 * A hard-linked copy of a folder (a copy where linking is impossible): electron-builder collects production
 * dependencies from a real node_modules tree and skips hoisted ones behind a symlinked node_modules.
 */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else {
      try {
        fs.linkSync(source, target);
      } catch {
        fs.copyFileSync(source, target);
      }
    }
  }
}

const isUnpacked = (entry: string) => Boolean((asar.statFile(appAsar, entry.slice(1), false) as { unpacked?: boolean }).unpacked);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * The placeholder stands in for the Linux binary only (a Windows .exe is edited and a macOS .app is a bundle, so
 * a placeholder cannot stand in for them): on Windows and macOS without STATION_ELECTRON_DIST these tests are
 * skipped, and CI's installers job builds those packages for real.
 */
const canPackage = Boolean(electronDist) || process.platform === 'linux';

beforeAll(() => {
  if (!canPackage) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-package-'));
  const stage = path.join(work, 'project');
  fs.mkdirSync(path.join(stage, 'models'), { recursive: true });
  for (const file of ['package.json', 'electron-builder.config.js', 'electron.vite.config.ts', ...fs.readdirSync(repo).filter((name) => /^tsconfig.*\.json$/.test(name))]) {
    fs.copyFileSync(path.join(repo, file), path.join(stage, file));
  }
  fs.cpSync(path.join(repo, 'proto'), path.join(stage, 'proto'), { recursive: true });
  fs.cpSync(path.join(repo, 'build'), path.join(stage, 'build'), { recursive: true });
  // The whole models folder, caches included: the file rules must leave the caches out.
  fs.cpSync(path.join(repo, 'models'), path.join(stage, 'models'), { recursive: true });
  fs.symlinkSync(path.join(repo, 'src'), path.join(stage, 'src'), 'junction');
  linkTree(path.join(repo, 'node_modules'), path.join(stage, 'node_modules'));
  // A file a careless rule would ship: a source map next to the bundles.
  run([path.join(repo, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], stage);
  fs.writeFileSync(path.join(stage, 'out/main/index.js.map'), '{}');

  const output = path.join(work, 'release');
  let dist = electronDist;
  if (!dist) {
    dist = path.join(work, 'electron-placeholder');
    fs.mkdirSync(dist);
    const binary = process.platform === 'win32' ? 'electron.exe' : 'electron';
    fs.writeFileSync(path.join(dist, binary), 'placeholder for the Electron binary, which build machines do not have\n');
    fs.chmodSync(path.join(dist, binary), 0o755);
  }
  const overrides = { electronDist: dist, directories: { ...builderConfig.directories, output }, npmRebuild: false, ...(electronDist ? {} : { electronFuses: null }) };
  const script = `
    import { build } from 'electron-builder';
    import config from './electron-builder.config.js';
    await build({ projectDir: process.cwd(), dir: true, publish: 'never', config: { ...config, ...${JSON.stringify(overrides)} } });
  `;
  run(['--input-type=module', '-e', script], stage, { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' });

  const appDir = fs.readdirSync(output).map((name) => path.join(output, name)).find((dir) => fs.statSync(dir).isDirectory() && /unpacked|mac/.test(dir))!;
  resources = process.platform === 'darwin' ? path.join(appDir, 'Enrollment Station.app', 'Contents', 'Resources') : path.join(appDir, 'resources');
  appAsar = path.join(resources, 'app.asar');
  entries = asar.listPackage(appAsar, { isPack: false }).map((entry) => entry.split(path.sep).join('/'));
}, 900_000);

afterAll(() => {
  if (work && !process.env.STATION_KEEP_PACKAGE) fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!canPackage)('the packaged app (electron-builder --dir; without STATION_ELECTRON_DIST only on Linux)', () => {
  it('holds the main, preload and renderer bundles, package.json and the BWS proto files in app.asar', () => {
    expect(fs.existsSync(appAsar), builderLog).toBe(true);
    for (const file of ['/package.json', '/out/main/index.js', '/out/main/engine-process.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/proto/facerecognition.proto', '/proto/grpc/health/v1/health.proto']) {
      expect(entries, file).toContain(file);
    }
    expect(entries.some((entry) => /^\/out\/renderer\/assets\/.+\.js$/.test(entry))).toBe(true);
  });

  it('ships no sources, tests, source maps, model caches or development dependencies', () => {
    expect(entries.filter((entry) => /^\/(src|test|bench|scripts|models|release|dist)\//.test(entry))).toEqual([]);
    expect(entries.filter((entry) => /\.(map|ts|tsx)$/.test(entry))).toEqual([]);
    expect(entries.filter((entry) => /\/node_modules\/[^/]+\/(test|tests|__tests__)\//.test(entry))).toEqual([]);
    for (const name of Object.keys(pkg.devDependencies)) {
      expect(entries.filter((entry) => entry.startsWith(`/node_modules/${name}/`)), name).toEqual([]);
    }
    // better-sqlite3-multiple-ciphers compiles from source: only its binding and JavaScript are shipped.
    expect(entries.filter((entry) => /better-sqlite3-multiple-ciphers\/(deps|src)\/|\.(c|cc|h|o|a)$|test_extension\.node$/.test(entry))).toEqual([]);
  });

  it('ships every production dependency the bundles load by name', () => {
    for (const name of Object.keys(pkg.dependencies)) {
      expect(entries, name).toContain(`/node_modules/${name}/package.json`);
    }
    // The entries and the chunks they load on demand (the engine loads its gRPC client and test service lazily).
    const bundles = entries.filter((entry) => /^\/out\/main\/.+\.js$/.test(entry));
    expect(bundles).toEqual(expect.arrayContaining(['/out/main/index.js', '/out/main/engine-process.js']));
    const code = bundles.map((entry) => asar.extractFile(appAsar, entry.slice(1)).toString('utf8')).join('\n');
    const bare = new Set([...code.matchAll(/(?:from\s*|import\(\s*|require\(\s*)["']([^"'./][^"']*)["']/g)].map((match) => match[1]!).filter((name) => !name.startsWith('node:') && name !== 'electron'));
    expect(bare.size).toBeGreaterThan(3);
    for (const specifier of bare) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      expect(entries, specifier).toContain(`/node_modules/${name}/package.json`);
    }
  });

  it('unpacks every native module and shared library, and ships only this platform and CPU of onnxruntime', () => {
    const natives = entries.filter((entry) => /\.(node|dll|dylib)$|\.so(\.\d+)*$/.test(entry));
    expect(natives.some((entry) => entry.includes('better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node'))).toBe(true);
    expect(natives.some((entry) => /onnxruntime-node\/bin\/napi-v\d+\/.+onnxruntime_binding\.node$/.test(entry))).toBe(true);
    expect(natives.some((entry) => /@img\/sharp-.+\.node$/.test(entry))).toBe(true);
    expect(natives.some((entry) => /@img\/sharp-libvips-.+\/lib\//.test(entry)) || process.platform === 'win32').toBe(true);
    for (const entry of natives) {
      expect(isUnpacked(entry), entry).toBe(true);
      expect(fs.existsSync(path.join(`${appAsar}.unpacked`, entry)), entry).toBe(true);
    }
    // The inference worker loads onnxruntime-node (and onnxruntime-common) by path, from the unpacked copy.
    for (const file of ['/node_modules/onnxruntime-node/dist/index.js', '/node_modules/onnxruntime-common/package.json']) expect(isUnpacked(file), file).toBe(true);
    const runtimes = new Set(entries.map((entry) => /onnxruntime-node\/bin\/napi-v\d+\/([^/]+)\/([^/]+)\//.exec(entry)).filter(Boolean).map((match) => `${match![1]}/${match![2]}`));
    expect([...runtimes]).toEqual([`${process.platform}/${process.arch}`]);
  });

  it('keeps the models outside the asar, in resources/models, exactly as the manifest says', () => {
    expect(entries.filter((entry) => entry.endsWith('.onnx'))).toEqual([]);
    expect(fs.readdirSync(path.join(resources, 'models')).sort()).toEqual(['fr_detect.onnx', 'fr_eye.onnx', 'fr_feature.onnx', 'fr_landmark.onnx', 'fr_liveness.onnx', 'fr_pose.onnx', 'manifest.json']);
    expect(verifyModels(loadManifest(path.join(resources, 'models', 'manifest.json'))).every((check) => check.ok)).toBe(true);
  });

  it('reports the package size (before anything runs from it)', () => {
    const sizes = { 'app.asar': sizeOf(appAsar), 'app.asar.unpacked (natives)': sizeOf(`${appAsar}.unpacked`), 'models': sizeOf(path.join(resources, 'models')) };
    const total = Object.values(sizes).reduce((sum, size) => sum + size, 0);
    console.info(`packaged app without the Electron binary: ${Object.entries(sizes).map(([name, size]) => `${name} ${mb(size)}`).join(', ')}; total ${mb(total)}`);
    // A bound that catches shipping every OS's onnxruntime (about 280 MB) or better-sqlite3's sources.
    expect(total).toBeLessThan(200e6);
  });

  it('runs the packed engine entry in plain Node from the packed files: models, natives and every dependency load', () => {
    // Plain Node cannot read an asar: extract it (with its unpacked files) beside it, as resources/app.
    const appDir = path.join(resources, 'app');
    asar.extractAll(appAsar, appDir);
    const env = { ...process.env, STATION_MODEL_MANIFEST: path.join(resources, 'models', 'manifest.json'), NODE_PATH: '' };
    const engineWork = fs.mkdtempSync(path.join(work, 'engine-'));
    const started = runEngineEntry(path.join(appDir, 'out/main/engine-process.js'), { work: engineWork, photo: face('obama.jpg'), cwd: engineWork, env });
    expect(started.status, `${started.stderr}\n${JSON.stringify(started.fatal)}`).toBe(0);
    const [info, refused, analysed] = started.replies!;
    expect(info).toMatchObject({ ok: true, value: { version: JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version, keyMode: 'keystore' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(analysed).toMatchObject({ ok: true, value: { ok: true, primary: 0, accepted: true } });
    expect(started.stderr).not.toMatch(/Cannot find (module|package)/);

    // A changed model file: the engine refuses to start, with a remedy an installer can act on.
    fs.appendFileSync(path.join(resources, 'models', 'fr_eye.onnx'), Buffer.from([0]));
    const refusedWork = fs.mkdtempSync(path.join(work, 'engine-'));
    const refusal = runEngineEntry(path.join(appDir, 'out/main/engine-process.js'), { work: refusedWork, photo: face('obama.jpg'), cwd: refusedWork, env });
    expect(refusal.status).toBe(1);
    expect(refusal.fatal).toMatchObject({ code: 'MODEL_CHECKSUM', message: expect.stringMatching(/fr_eye\.onnx \(sha256 does not match\).*Reinstall Enrollment Station/) });
  });

  it.skipIf(!electronDist)('flips the fuses in the real Electron binary (only with STATION_ELECTRON_DIST; none on build machines)', async () => {
    const { getCurrentFuseWire, FuseV1Options } = await import('@electron/fuses');
    // @electron/fuses stores each fuse as an ASCII digit: '0' off, '1' on.
    const FuseState = { DISABLE: '0'.charCodeAt(0), ENABLE: '1'.charCodeAt(0) };
    const binary = fs.readdirSync(path.dirname(resources)).map((name) => path.join(path.dirname(resources), name)).find((file) => /enrollment-station(\.exe)?$/.test(file))!;
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    expect(FUSES.enableEmbeddedAsarIntegrityValidation).toBe(true);
  });
});

describe('packaging configuration', () => {
  it('sets the Electron fuses: no run-as-node, NODE_OPTIONS or --inspect; asar only, with integrity; cookies encrypted; no file: privileges', () => {
    expect(builderConfig.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(builderConfig.asar).toBe(true);
    expect(builderConfig.npmRebuild).toBe(true);
  });

  it('builds AppImage and deb, a per-machine NSIS installer, and a hardened dmg with the camera entitlement', () => {
    expect(builderConfig.linux?.target).toEqual(['AppImage', 'deb']);
    expect(builderConfig.nsis).toMatchObject({ perMachine: true, oneClick: false });
    expect(builderConfig.mac).toMatchObject({ target: ['dmg'], hardenedRuntime: true, extendInfo: { NSCameraUsageDescription: expect.any(String) } });
    const entitlements = fs.readFileSync(path.join(repo, builderConfig.mac!.entitlements!), 'utf8');
    expect(entitlements).toMatch(/<key>com\.apple\.security\.device\.camera<\/key>\s*<true\/>/);
    expect(builderConfig.extraResources).toEqual([{ from: 'models', to: 'models', filter: ['manifest.json', '*.onnx'] }]);
  });

  it('signs and notarises on macOS only when the credentials are in the environment', async () => {
    const load = async (env: Record<string, string>) => {
      const saved = { ...process.env };
      for (const name of ['CSC_LINK', 'CSC_NAME', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID', 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER']) delete process.env[name];
      Object.assign(process.env, env);
      try {
        vi.resetModules();
        return (await import('../../electron-builder.config.js')).default.mac!;
      } finally {
        process.env = saved;
      }
    };
    expect(await load({})).toMatchObject({ identity: null, notarize: false });
    expect(await load({ CSC_LINK: 'cert.p12', APPLE_ID: 'a@b.c', APPLE_APP_SPECIFIC_PASSWORD: 'x', APPLE_TEAM_ID: 'T' })).toMatchObject({ identity: undefined, notarize: true });
  });
});
