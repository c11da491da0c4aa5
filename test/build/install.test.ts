import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci` on a fresh clone must reach only the npm registry: build machines have no access to GitHub, where
 * Electron's binary and some prebuilt natives live. What would run at install time is written down in the
 * lock file, so the rule is checked there.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; hasInstallScript?: boolean }> };
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean>; devDependencies: Record<string, string> };
const withScripts = Object.entries(lock.packages).filter(([name, entry]) => name !== '' && entry.hasInstallScript).map(([name]) => name.replace(/^.*node_modules\//, ''));

describe('npm ci without downloads', () => {
  it('installs Electron without an install script: its binary is fetched on first start, never by npm ci', () => {
    expect(lock.packages['node_modules/electron']?.version).toMatch(/^45\./);
    expect(withScripts).not.toContain('electron');
  });

  it('reviews every install script in allowScripts', () => {
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(Object.keys(pkg.allowScripts), name).toContain(name);
    // Squirrel.Windows tooling comes with electron-builder; the station builds NSIS installers and skips it.
    expect(pkg.allowScripts['electron-winstaller']).toBe(false);
  });

  it('tells onnxruntime-node not to download its CUDA binaries (the CPU build ships in the package)', () => {
    expect(fs.readFileSync(path.join(repo, '.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
  });
});
