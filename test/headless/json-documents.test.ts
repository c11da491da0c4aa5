import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as documents from '../../src/shared/json-documents.js';
import { Output } from '../../src/engine/cli/output.js';
import { face, tempDir } from '../helpers/paths.js';
import { station, testDbKey } from './helpers.js';

/**
 * Every JSON document the CLI prints, from the real commands, against its schema in
 * `src/shared/json-documents.ts`. Strict parsing: a key the schema does not know fails here too.
 */
function parseStrict<S extends z.ZodType>(schema: S, stdout: string): z.infer<S> {
  const raw = JSON.parse(stdout) as unknown;
  const parsed = schema.parse(raw);
  // The schema's output must hold every key the command printed (zod would silently strip unknown ones).
  expect(parsed).toEqual(raw);
  return parsed;
}

describe('JSON documents of every command', () => {
  it('each command prints exactly its documented document, with camelCase keys', async () => {
    const root = tempDir('station-json-');
    const dataDir = path.join(root, 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    const run = async (args: string[], input?: string) => station(['--data-dir', dataDir, '--json', ...args], env, input);

    const analyzed = await run(['analyze', face('obama.jpg')]);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    expect(parseStrict(documents.analyzeDocumentSchema, analyzed.stdout).results[0]!.accepted).toBe(true);

    const enrolled = await run(['enroll', '--class-id', '11', face('biden.jpg')]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    expect(parseStrict(documents.enrollDocumentSchema, enrolled.stdout)).toMatchObject({ classId: '11', queued: true });

    fs.mkdirSync(path.join(root, 'photos', '12'), { recursive: true });
    fs.copyFileSync(face('kit_harington1.jpg'), path.join(root, 'photos', '12', 'kit.jpg'));
    const imported = await run(['import', path.join(root, 'photos')]);
    expect(imported.code, imported.stderr).toBe(0);
    const importDocument = parseStrict(documents.importDocumentSchema, imported.stdout);
    expect(importDocument.totals).toMatchObject({ queued: 1, imagesAccepted: 1 });

    const queue = parseStrict(documents.queueDocumentSchema, (await run(['queue'])).stdout);
    expect(queue.jobs.map((job) => job.classId).sort()).toEqual(['11', '12']);
    const discarded = await run(['discard', importDocument.classes[0]!.jobId!, '--reason', 'schema test']);
    expect(parseStrict(documents.discardDocumentSchema, discarded.stdout)).toEqual({ discarded: importDocument.classes[0]!.jobId });

    const synced = await run(['sync', '--local']);
    expect(synced.code, synced.stderr).toBe(0);
    const sync = parseStrict(documents.syncDocumentSchema, synced.stdout);
    expect(sync).toMatchObject({ syncedNow: 1, paused: null, waiting: [], counts: { synced: 1, discarded: 1, queued: 0, retry_wait: 0, needs_attention: 0 } });

    expect(parseStrict(documents.retryDocumentSchema, (await run(['retry', 'all'])).stdout)).toEqual({ retried: 0 });
    expect(parseStrict(documents.purgeDocumentSchema, (await run(['purge'])).stdout).purged).toEqual({ embeddings: expect.any(Number), jobs: expect.any(Number) });

    const status = parseStrict(documents.bwsCallDocumentSchema, (await run(['bws', 'status', '--local', '--class-id', '11'])).stdout);
    expect(status.method).toBe('GetTemplateStatus');
    expect(status.response).toMatchObject({ classId: '11', available: true, featureVectors: 1 });
    const health = parseStrict(documents.bwsHealthDocumentSchema, (await run(['bws', 'health', '--local'])).stdout);
    expect(health.results.map((result) => result.response)).toEqual([{ status: 'SERVING' }, { status: 'SERVING' }]);
    expect(parseStrict(documents.bwsUpgradeDocumentSchema, (await run(['bws', 'upgrade', '--local', '--class-id', '11'])).stdout).results[0]).toMatchObject({ classId: '11', action: 'NONE' });
    const missing = await run(['bws', 'delete', '--local', '--class-id', '999']);
    expect(missing.code).toBe(5);
    expect(parseStrict(documents.bwsErrorDocumentSchema, missing.stdout).error).toMatchObject({ code: 'NOT_FOUND', grpcCode: 5 });

    const doctor = parseStrict(documents.doctorDocumentSchema, (await run(['doctor', '--no-network'])).stdout);
    expect(doctor.ok).toBe(true);

    const settings = parseStrict(documents.configGetDocumentSchema, (await run(['config', 'get'])).stdout);
    expect(settings.settings.find((row) => row.name === 'sync-concurrency')).toMatchObject({ value: 2, source: 'default', locked: false, overriddenBy: null });
    expect(parseStrict(documents.configSetDocumentSchema, (await run(['config', 'set', 'sync-concurrency', '3'])).stdout)).toEqual({ ok: true, setting: 'sync-concurrency' });
    expect(parseStrict(documents.pinHashDocumentSchema, (await run(['config', 'pin-hash'], '246810\n')).stdout).adminPinHash).toMatch(/^scrypt/);

    const bundle = parseStrict(documents.supportBundleDocumentSchema, (await run(['support-bundle', '--out', path.join(root, 'bundle.tar.gz')])).stdout);
    expect(bundle.file).toBe(path.join(root, 'bundle.tar.gz'));

    // Failures: a command's own error, and a usage error caught by the argument parser.
    const unknownJob = await run(['discard', 'ffffffff', '--reason', 'none such']);
    expect(parseStrict(documents.errorDocumentSchema, unknownJob.stdout).error.code).toBe('JOB_NOT_FOUND');
    const usage = await run(['queue', '--no-such-option']);
    expect(usage.code).toBe(2);
    expect(parseStrict(documents.errorDocumentSchema, usage.stdout).error.code).toBe('USAGE');
  });

  it('a document that drifts from its schema is refused, not printed: a missing key and an unknown one alike', () => {
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk) => (printed += chunk));
    const out = new Output(true, false, stdout, new PassThrough());
    expect(() => out.document(documents.retryDocumentSchema, { retried: 2, retriedJobs: ['a'] } as never)).toThrow(/retriedJobs is not in its schema/);
    expect(() => out.document(documents.retryDocumentSchema, {} as never)).toThrow();
    expect(() => out.document(documents.bwsCallDocumentSchema, { method: 'GetTemplateStatus', response: { feature_vectors: 1 }, headers: {}, trailers: {} })).toThrow(/feature_vectors\W+ is not camelCase/);
    out.document(documents.retryDocumentSchema, { retried: 2 });
    expect(JSON.parse(printed)).toEqual({ retried: 2 });
  });
});
