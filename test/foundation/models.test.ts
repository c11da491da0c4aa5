import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_ROLES, loadManifest, modelFilePath, verifyModels } from '../../src/engine/models/manifest.js';
import { resolveModelFiles } from '../../src/engine/vision/model-files.js';
import { StationError } from '../../src/shared/errors.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

const installer = path.join(repoRoot, 'scripts', 'install-models.mjs');

function runInstaller(manifestPath: string) {
  return spawnSync(process.execPath, [installer], { encoding: 'utf8', env: { ...process.env, STATION_MODEL_MANIFEST: manifestPath } });
}

interface RawModelEntry {
  file: string;
  sha256: string;
  [field: string]: unknown;
}
interface RawManifest {
  models: Record<string, RawModelEntry>;
  [field: string]: unknown;
}

/** A copy of the real manifest in a temp folder, optionally edited. */
function manifestCopy(edit: (manifest: RawManifest) => void = () => {}): string {
  const dir = tempDir('station-models-');
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models', 'manifest.json'), 'utf8'));
  edit(manifest);
  const file = path.join(dir, 'manifest.json');
  fs.writeFileSync(file, JSON.stringify(manifest));
  return file;
}

describe('model manifest and installer', () => {
  it('lists every role with a sha256, and the installed files verify', () => {
    const manifest = loadManifest();
    expect(Object.keys(manifest.models).sort()).toEqual([...MODEL_ROLES].sort());
    const checks = verifyModels(manifest);
    expect(checks.every((check) => check.ok)).toBe(true);
    expect(() => resolveModelFiles(manifest)).not.toThrow();
  });

  it('does nothing when the verified files are already there (offline re-install)', () => {
    const result = runInstaller(path.join(repoRoot, 'models', 'manifest.json'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/6 model file\(s\) present and verified; nothing to fetch/);
  });

  it('installs a missing file from the cached tarball and verifies it', () => {
    const file = manifestCopy((manifest) => {
      manifest.models = { eyes: manifest.models.eyes! };
    });
    const result = runInstaller(file);
    expect(result.status, result.stderr).toBe(0);
    const installed = path.join(path.dirname(file), 'fr_eye.onnx');
    expect(fs.existsSync(installed)).toBe(true);
    expect(fs.readFileSync(installed).equals(fs.readFileSync(path.join(repoRoot, 'models', 'fr_eye.onnx')))).toBe(true);
  });

  it('fails loudly when a file does not match its sha256, and installs nothing', () => {
    const file = manifestCopy((manifest) => {
      manifest.models = { eyes: { ...manifest.models.eyes!, sha256: '0'.repeat(64) } };
    });
    const result = runInstaller(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/checksum mismatch for fr_eye\.onnx/);
    expect(fs.existsSync(path.join(path.dirname(file), 'fr_eye.onnx'))).toBe(false);
  });

  it('reports a tampered model file to the engine with a coded error', () => {
    const file = manifestCopy();
    const dir = path.dirname(file);
    const manifest = loadManifest(file);
    for (const role of MODEL_ROLES) fs.copyFileSync(modelFilePath(loadManifest(), role), modelFilePath(manifest, role));
    fs.appendFileSync(modelFilePath(manifest, 'pose'), Buffer.from([0]));
    const bad = verifyModels(manifest).filter((check) => !check.ok);
    expect(bad.map((check) => check.role)).toEqual(['pose']);
    expect(() => resolveModelFiles(manifest)).toThrow(StationError);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a malformed manifest with the place of the problem', () => {
    const file = manifestCopy((manifest) => {
      manifest.models.detector!.sha256 = 'not-a-hash';
    });
    expect(() => loadManifest(file)).toThrow(/models\.detector\.sha256/);
  });
});
