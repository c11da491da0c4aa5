import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandName } from '../../src/engine/cli/main.js';
import { face, repoRoot, stationBin, tempDir } from '../helpers/paths.js';

const tracer = path.join(repoRoot, 'test', 'foundation', 'fixtures', 'trace-imports.mjs');

/** Runs the compiled CLI and returns its exit code, stdout and the modules it imported (paths under the repo). */
function traced(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; modules: string[] }> {
  const trace = path.join(tempDir('station-trace-'), 'imports.txt');
  fs.writeFileSync(trace, '');
  const child = spawn(process.execPath, ['--import', tracer, stationBin, ...args], { env: { ...process.env, NO_COLOR: '1', TRACE_IMPORTS_FILE: trace, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const modules = [...new Set(fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean))].map((url) => url.replace(/^file:\/\//, '').replace(`${repoRoot}/`, ''));
      resolve({ code, signal, stdout, stderr, modules });
    });
  });
}

const commandModules = (modules: string[]) => modules.filter((file) => file.startsWith('dist/engine/cli/commands/') && !file.endsWith('/index.js')).map((file) => path.basename(file, '.js')).sort();
const loads = (modules: string[], part: string) => modules.some((file) => file.includes(part));

describe('station loads only the command that runs', () => {
  it('finds the command name behind global options', () => {
    expect(commandName(['node', 'station', '--data-dir', '/x', '--json', 'queue', '--state', 'queued'])).toBe('queue');
    expect(commandName(['node', 'station', '--json', 'analyze', 'a.jpg'])).toBe('analyze');
    expect(commandName(['node', 'station', '--debug'])).toBeUndefined();
  });

  it('`station queue` imports the queue command alone: no other command, no vision engine, no gRPC', async () => {
    const result = await traced(['queue', '--json', '--data-dir', path.join(tempDir(), 'none')]);
    expect(result.code, result.stderr).toBe(0);
    expect(commandModules(result.modules)).toEqual(['queue']);
    for (const heavy of ['dist/engine/vision/', 'onnxruntime-node', 'sharp', '@grpc/grpc-js', 'cli-progress', 'csv-parse']) expect(loads(result.modules, heavy), heavy).toBe(false);
  });

  it('`station analyze` imports the analyze command alone (models started early) and analyses the photo', async () => {
    const result = await traced(['analyze', '--json', face('obama.jpg')]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).results[0]).toMatchObject({ ok: true, accepted: expect.any(Boolean) });
    expect(commandModules(result.modules)).toEqual(['analyze']);
    for (const heavy of ['dist/engine/store/queue-store.js', 'dist/engine/sync/', '@grpc/grpc-js', 'cli-progress', 'csv-parse']) expect(loads(result.modules, heavy), heavy).toBe(false);
    // The model worker starts (and loads onnxruntime) before the model check's zod and the command line load.
    const firstOf = (part: string) => result.modules.findIndex((file) => file.includes(part));
    expect(firstOf('dist/engine/vision/inference-worker.js')).toBeGreaterThanOrEqual(0);
    expect(firstOf('dist/engine/vision/inference-worker.js')).toBeLessThan(firstOf('node_modules/zod/'));
    expect(firstOf('dist/engine/vision/inference-worker.js')).toBeLessThan(firstOf('node_modules/commander/'));
  });

  it('a tampered model refused by the check after the worker started ends `station analyze` with its error, not an abort', async () => {
    const dir = tempDir('station-tampered-');
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models', 'manifest.json'), 'utf8')) as { models: Record<string, { file: string }> };
    for (const entry of Object.values(manifest.models)) fs.copyFileSync(path.join(repoRoot, 'models', entry.file), path.join(dir, entry.file));
    fs.appendFileSync(path.join(dir, manifest.models.detector!.file), Buffer.from([0]));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    try {
      const result = await traced(['analyze', '--json', face('obama.jpg')], { STATION_MODEL_MANIFEST: path.join(dir, 'manifest.json') });
      expect(result.signal).toBeNull();
      expect(result.code, result.stderr).toBe(1);
      expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'MODEL_CHECKSUM', message: expect.stringContaining('fr_detect.onnx') });
      expect(loads(result.modules, 'dist/engine/vision/inference-worker.js')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a usage error after the models started early exits with code 2, not an abort', async () => {
    const result = await traced(['analyze', '--json', '--profile', 'passport', face('obama.jpg')]);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error.code).toBe('USAGE');
    expect(loads(result.modules, 'dist/engine/vision/models-start.js')).toBe(true);
  });

  it('a station (the app\'s engine process) opens its folder without the gRPC client, the test service or the doctor', async () => {
    const dataDir = path.join(tempDir('station-lazy-'), 'data');
    const script = `
      const { createStation } = await import(${JSON.stringify(path.join(repoRoot, 'dist/engine/station.js'))});
      const { StaticKeyProvider } = await import(${JSON.stringify(path.join(repoRoot, 'dist/engine/store/keys.js'))});
      const station = await createStation({ dataDir: ${JSON.stringify(dataDir)}, keyProvider: new StaticKeyProvider(Buffer.alloc(32, 7), 'test'), env: {} });
      const jobs = await station.listJobs({});
      await station.close();
      console.log(JSON.stringify({ jobs: jobs.length }));`;
    const trace = path.join(tempDir('station-trace-'), 'imports.txt');
    fs.writeFileSync(trace, '');
    const child = spawn(process.execPath, ['--import', tracer, '--input-type=module', '-e', script], { env: { ...process.env, TRACE_IMPORTS_FILE: trace } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ jobs: 0 });
    const modules = fs.readFileSync(trace, 'utf8');
    expect(modules).toContain('dist/engine/store/queue-store.js');
    for (const lazy of ['@grpc/grpc-js', 'dist/engine/sync/bws-transport.js', 'dist/engine/bws-local/', 'dist/engine/doctor.js']) expect(modules.includes(lazy), lazy).toBe(false);
  });

  it('`station --help` still lists every command', async () => {
    const result = await traced(['--help']);
    expect(result.code).toBe(0);
    for (const name of ['enroll', 'import', 'queue', 'retry', 'discard', 'purge', 'sync', 'analyze', 'config', 'bws', 'doctor', 'support-bundle']) expect(result.stdout).toMatch(new RegExp(`\\n  ${name}\\b`));
  });
});
