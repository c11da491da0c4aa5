import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { toErrorInfo } from '../shared/errors.js';
import { runDoctor } from './doctor.js';
import { logsDir, redactLogText } from './logs.js';
import { dataPaths } from './paths.js';
import type { KeyProvider } from './store/keys.js';
import { QueueStore } from './store/queue-store.js';
import { loadSiteConfig } from './store/site-file.js';
import { SettingsStore } from './store/settings.js';
import { stationVersion } from './version.js';

/**
 * `station support-bundle`: one .tar.gz an installer can send to support. It holds versions, the doctor
 * report, the settings (secrets masked, as everywhere), the queue's counts and job states, the audit chain's
 * verification and the recent logs. It never holds images, embeddings or keys; class ids only when asked
 * (`includeClassIds`). Every text in it is passed through the log redaction, and every class id of the queue
 * is scrubbed by value as well, so a class id that slipped into an error message does not leak either.
 */
export interface SupportBundleOptions {
  dataDir: string;
  keyProvider: KeyProvider;
  env: NodeJS.ProcessEnv;
  out: string;
  includeClassIds?: boolean;
}

export interface SupportBundleResult {
  file: string;
  entries: string[];
  bytes: number;
}

function moduleVersion(name: string): string {
  try {
    const file = createRequire(import.meta.url).resolve(`${name}/package.json`);
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'not found';
  }
}

export async function writeSupportBundle(options: SupportBundleOptions): Promise<SupportBundleResult> {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'station-support-'));
  const texts = new Map<string, string>();
  const classIds = new Set<string>();
  try {
    texts.set('versions.json', JSON.stringify({
      station: stationVersion(),
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      platform: `${process.platform}-${process.arch}`,
      os: `${os.type()} ${os.release()}`,
      modules: Object.fromEntries(['onnxruntime-node', 'sharp', 'better-sqlite3-multiple-ciphers', '@grpc/grpc-js'].map((name) => [name, moduleVersion(name)])),
      createdAt: new Date().toISOString(),
    }, null, 2));

    texts.set('doctor.json', JSON.stringify(await runDoctor({ dataDir: options.dataDir, keyProvider: options.keyProvider, env: options.env, network: false }), null, 2));

    const site = (() => {
      try {
        return loadSiteConfig(options.env);
      } catch {
        return null; // the doctor report above says what is wrong with it
      }
    })();
    if (fs.existsSync(dataPaths(options.dataDir).queueDb)) {
      let store: QueueStore | null = null;
      try {
        store = await QueueStore.open({ dataDir: options.dataDir, keyProvider: options.keyProvider, create: false, integrityCheck: 'quick', site });
        const jobs = store.listJobs({ limit: 100_000 });
        for (const job of jobs) classIds.add(job.classId);
        texts.set('settings.json', JSON.stringify(store.settings.describe(), null, 2));
        texts.set('queue.json', JSON.stringify({
          counts: store.counts(),
          jobs: jobs.map((job) => ({
            id: job.id,
            ...(options.includeClassIds ? { classId: job.classId } : {}),
            state: job.state,
            attempts: job.attempts,
            imageCount: job.imageCount,
            createdAt: job.createdAt,
            updatedAt: job.updatedAt,
            lastError: job.lastError,
            performedAction: job.performedAction,
          })),
        }, null, 2));
        texts.set('audit.json', JSON.stringify(store.verifyAuditChain(), null, 2));
      } catch (error) {
        texts.set('queue.json', JSON.stringify({ error: toErrorInfo(error) }, null, 2));
      } finally {
        store?.close();
      }
    } else {
      texts.set('settings.json', JSON.stringify(new SettingsStore(null, site).describe(), null, 2));
      texts.set('queue.json', JSON.stringify({ counts: null, note: 'no queue in this data folder yet' }, null, 2));
    }

    const logs = logsDir(options.dataDir);
    if (fs.existsSync(logs)) {
      for (const name of fs.readdirSync(logs).filter((file) => file.endsWith('.log')).sort()) texts.set(`logs/${name}`, fs.readFileSync(path.join(logs, name), 'utf8'));
    }

    texts.set('README.txt', [
      'Enrollment Station support bundle.',
      'versions.json, doctor.json (the `station doctor` report), settings.json (secrets masked), queue.json (counts and',
      'job states), audit.json (audit chain verification), logs/ (recent log files).',
      `No images, embeddings or keys. Class ids: ${options.includeClassIds ? 'included (--include-class-ids)' : 'removed'}.`,
      '',
    ].join('\n'));

    const scrub = (text: string): string => {
      if (options.includeClassIds) return redactLogText(text, { numbers: false });
      let out = redactLogText(text);
      // Longest first, as whole numbers only, so "42" never eats a piece of "1042".
      for (const id of [...classIds].sort((a, b) => b.length - a.length)) out = out.replace(new RegExp(`(?<!\\d)${id}(?!\\d)`, 'g'), '<class id>');
      return out;
    };
    for (const [name, text] of texts) {
      const target = path.join(staging, name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, scrub(text));
    }

    const entries = [...texts.keys()].sort();
    const out = path.resolve(options.out);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await tar.create({ gzip: true, file: out, cwd: staging, portable: true }, entries);
    return { file: out, entries, bytes: fs.statSync(out).size };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export function defaultBundleName(now = new Date()): string {
  return `station-support-${now.toISOString().replace(/[:.]/g, '-').slice(0, 19)}.tar.gz`;
}
