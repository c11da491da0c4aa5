#!/usr/bin/env node
// `npm start`: opens the station app when the Electron binary is installed; otherwise says so in one
// sentence and points to the headless engine. It never imports the `electron` package: on a machine without
// the binary that import tries to download it or throws. Instead it reads the same path.txt Electron's own
// launcher reads (or ELECTRON_OVERRIDE_DIST_PATH / ELECTRON_EXEC_PATH) and checks that the file exists.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function electronBinary(env = process.env) {
  if (env.ELECTRON_EXEC_PATH) return fs.existsSync(env.ELECTRON_EXEC_PATH) ? env.ELECTRON_EXEC_PATH : null;
  let packageDir;
  try {
    packageDir = path.dirname(createRequire(path.join(projectRoot, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
  let relative = 'electron';
  try {
    relative = fs.readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim() || relative;
  } catch {
    if (!env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  }
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative) : path.join(packageDir, 'dist', relative);
  return fs.existsSync(binary) ? binary : null;
}

/**
 * Electron (since 42) fetches its binary on first use rather than at install time. Try that once (quietly, with a
 * time limit); where the download host is unreachable this fails within a second or two.
 */
function tryInstallElectron() {
  let installer;
  try {
    installer = createRequire(path.join(projectRoot, 'package.json')).resolve('electron/install.js');
  } catch {
    return;
  }
  process.stdout.write('Fetching the Electron binary (first start only)...\n');
  spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), stdio: 'ignore', timeout: 180_000 });
}

let binary = electronBinary();
if (!binary && process.env.STATION_NO_ELECTRON_DOWNLOAD !== '1') {
  tryInstallElectron();
  binary = electronBinary();
}
if (!binary) {
  // The app did not start: say why on stderr and fail, so `npm start && ...` and scripts see it.
  process.stderr.write('The Electron binary is not installed on this machine, so the window cannot open; the same engine runs headless: npx station --help / npx station doctor\n');
  process.exit(1);
}

// Build (engine for the CLI, then the three bundles) and open the window.
const bin = (name) => path.join(projectRoot, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const child = spawn(bin('electron-vite'), ['preview', ...process.argv.slice(2)], { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, ELECTRON_EXEC_PATH: binary }, shell: process.platform === 'win32' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
