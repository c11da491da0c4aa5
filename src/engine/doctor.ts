import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DoctorCheck, DoctorReport } from '../shared/contract.js';
import { failedCheck } from './bws/doctor-check.js';
import { MODEL_MISSING_DETAIL, loadManifest, modelFilePath, verifyModels } from './models/manifest.js';
import { dataPaths } from './paths.js';
import { openEncryptedDatabase } from './store/database.js';
import { describeKeySource, readFolderInfo } from './store/folder-info.js';
import type { KeyProvider } from './store/keys.js';
import { stationVersion } from './version.js';
import { queueDoctorChecks } from './doctor-queue.js';

export interface DoctorOptions {
  dataDir: string;
  keyProvider: KeyProvider;
  env: NodeJS.ProcessEnv;
  /** Contact the BWS endpoint (health `readiness`). */
  network: boolean;
}

/**
 * The station's self-check. Parts that are not configured yet (no endpoint, no data folder) are reported as
 * such and count as healthy; only things that are broken fail.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const attempt = async (name: string, body: () => Promise<string> | string) => {
    try {
      add(name, true, await body());
    } catch (error) {
      checks.push(failedCheck(name, error));
    }
  };

  add('station', true, `version ${stationVersion()}, Node ${process.versions.node}, ${process.platform}-${process.arch}`);

  let manifestOk = false;
  await attempt('model manifest', () => {
    const manifest = loadManifest();
    manifestOk = true;
    return `${manifest.pack} pack, ${manifest.path}`;
  });
  if (manifestOk) {
    const manifest = loadManifest();
    for (const check of verifyModels(manifest)) {
      const detail = `${path.basename(check.file)}: ${check.detail}`;
      checks.push(check.ok ? { name: `model ${check.role}`, ok: true, detail } : { name: `model ${check.role}`, ok: false, code: check.detail === MODEL_MISSING_DETAIL ? 'MODEL_MISSING' : 'MODEL_CHECKSUM', detail });
    }
    await attempt('onnxruntime-node', async () => {
      const ort = await import('onnxruntime-node');
      const session = await ort.InferenceSession.create(modelFilePath(manifest, 'eyes'), { intraOpNumThreads: 1 });
      const output = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(24 * 24), [1, 1, 24, 24]) });
      await session.release();
      return `loaded, CPU provider, test inference returned ${Object.keys(output).length} output(s)`;
    });
  }
  await attempt('sharp', async () => {
    const sharp = (await import('sharp')).default;
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer();
    const meta = await sharp(png).metadata();
    return `loaded, libvips ${sharp.versions.vips}, test image ${meta.width}x${meta.height}`;
  });
  await attempt('encrypted sqlite', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-doctor-'));
    try {
      const file = path.join(dir, 'probe.db');
      const marker = 'doctor-probe-marker';
      const db = openEncryptedDatabase({ file, key: randomBytes(32), create: true, migrations: [{ version: 1, description: 'probe', up: (d) => d.exec('CREATE TABLE probe (v TEXT)') }] });
      db.prepare('INSERT INTO probe VALUES (?)').run(marker);
      db.close();
      const plaintext = fs.readFileSync(file).includes(marker);
      if (plaintext) throw new Error('the probe database is not encrypted');
      return 'better-sqlite3-multiple-ciphers, SQLCipher scheme: write, read and encryption verified';
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const paths = dataPaths(options.dataDir);
  const folderExists = fs.existsSync(options.dataDir);
  await attempt('data folder', () => {
    if (!folderExists) return `${options.dataDir} (not created yet; the first enrollment creates it)`;
    fs.accessSync(options.dataDir, fs.constants.W_OK);
    return `${options.dataDir} (writable)`;
  });
  // The key must really open this folder (as the queue row needs it), not merely be described.
  await attempt('key storage', async () => {
    const info = readFolderInfo(options.dataDir);
    if (!info && !fs.existsSync(paths.queueDb)) return `no key yet; a new folder would use ${options.keyProvider.describe()}`;
    await options.keyProvider.obtainKey(options.dataDir);
    const facts = info ?? readFolderInfo(options.dataDir);
    return facts ? `${facts.keyMode} mode: ${describeKeySource(facts)}; the key opens this folder` : 'the key opens this folder';
  });
  checks.push(...(await queueDoctorChecks({ ...options, queueExists: fs.existsSync(paths.queueDb) })));
  return { ok: checks.every((check) => check.ok), checks };
}
