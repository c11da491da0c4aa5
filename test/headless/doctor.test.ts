import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { QueueStore } from '../../src/engine/store/queue-store.js';
import { type DoctorReport, doctorReportSchema } from '../../src/shared/schemas.js';
import { type LocalFixture, startFixture } from '../bws/helpers.js';
import { tempDir } from '../helpers/paths.js';
import { enqueueMany } from '../sync/helpers.js';
import { station, testDbKey } from './helpers.js';

/** `station doctor` against a real local BWS service on 127.0.0.1, with a wrong and a right client key. */
describe('station doctor', () => {
  let service: LocalFixture;
  let dataDir: string;
  const dbKey = testDbKey();
  beforeAll(async () => {
    service = await startFixture({ mode: 'store-only' });
    dataDir = path.join(tempDir('station-doctor-'), 'data');
    // Two queued jobs (small synthetic images: the doctor's rows are about the queue, not about faces).
    const store = await QueueStore.open({ dataDir, keyProvider: new HeadlessKeyProvider({ envKey: dbKey }), create: true });
    enqueueMany(store, ['41', '42'], 1);
    store.close();
  });
  afterAll(async () => {
    await service?.close();
  });

  const bwsEnv = (key: string) => ({ STATION_DB_KEY: dbKey, BWS_ENDPOINT: service.endpoint, BWS_CLIENT_ID: service.credentials.clientId, BWS_KEY: key });
  const wrongKey = randomBytes(64).toString('base64');

  async function doctor(env: NodeJS.ProcessEnv): Promise<{ code: number; report: DoctorReport; rows: Record<string, DoctorReport['checks'][number]> }> {
    const run = await station(['--data-dir', dataDir, '--json', 'doctor'], env);
    const report = doctorReportSchema.parse(JSON.parse(run.stdout));
    return { code: run.code, report, rows: Object.fromEntries(report.checks.map((check) => [check.name, check])) };
  }

  /** Rows agree: the report is ok exactly when every row is, and every failing row has a code and a sentence. */
  function expectConsistent(report: DoctorReport): void {
    expect(report.ok).toBe(report.checks.every((check) => check.ok));
    for (const check of report.checks.filter((row) => !row.ok)) {
      expect(check.code, check.name).toMatch(/^[A-Z_]+$/);
      expect(check.detail.length, check.name).toBeGreaterThan(20);
    }
    for (const check of report.checks.filter((row) => row.ok)) expect(check.code, check.name).toBeUndefined();
  }

  it('authenticates: a wrong key fails with what to fix, and the pause sync records is shown until a sync gets through', async () => {
    const wrong = await doctor(bwsEnv(wrongKey));
    expectConsistent(wrong.report);
    expect(wrong.code).toBe(1);
    expect(wrong.rows['bws readiness']).toMatchObject({ ok: true });
    expect(wrong.rows['bws authentication']).toMatchObject({ ok: false, code: 'BWS_CREDENTIALS' });
    expect(wrong.rows['bws authentication']!.detail).toMatch(/rejected the client id and key .*station config set key/);
    expect(wrong.rows.sync).toEqual({ name: 'sync', ok: true, detail: 'not paused' });
    expect(JSON.stringify(wrong.report)).not.toContain(wrongKey);

    // The sync engine pauses the queue on the rejected credentials and records why.
    const paused = await station(['--data-dir', dataDir, 'sync', '--once'], bwsEnv(wrongKey));
    expect(paused.code, paused.stdout + paused.stderr).toBe(1);
    expect(paused.stdout).toMatch(/The queue is paused/);
    const afterPause = await doctor(bwsEnv(wrongKey));
    expectConsistent(afterPause.report);
    expect(afterPause.rows.sync).toMatchObject({ ok: false, code: 'BWS_CREDENTIALS' });
    expect(afterPause.rows.sync!.detail).toMatch(/^paused since \d{4}-\d\d-\d\dT.*rejected the credentials.*Then run `station sync`\.$/);
    const text = await station(['--data-dir', dataDir, 'doctor'], bwsEnv(wrongKey));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^sync\s+FAIL\s+paused since .*\[BWS_CREDENTIALS\]$/m);
    expect(text.stdout).toMatch(/Some checks failed/);
    expect(text.stdout).not.toMatch(/All checks passed/);

    // With the right key the doctor's own call is accepted: the recorded pause lifts on the next sync.
    const right = await doctor(bwsEnv(service.credentials.key));
    expectConsistent(right.report);
    expect(right.rows['bws authentication']).toMatchObject({ ok: true });
    expect(right.rows.sync!.detail).toMatch(/^paused since .*the next `station sync` resumes$/);
    expect(right.report.ok).toBe(true);
    expect(right.code).toBe(0);

    const synced = await station(['--data-dir', dataDir, 'sync', '--once'], bwsEnv(service.credentials.key));
    expect(synced.code, synced.stdout + synced.stderr).toBe(0);
    const clear = await doctor(bwsEnv(service.credentials.key));
    expect(clear.rows.sync).toEqual({ name: 'sync', ok: true, detail: 'not paused' });
    const passed = await station(['--data-dir', dataDir, 'doctor'], bwsEnv(service.credentials.key));
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/All checks passed/);
  });

  it('without STATION_DB_KEY the key row fails with the queue row, both with KEY_MISSING', async () => {
    const missing = await doctor({ ...bwsEnv(service.credentials.key), STATION_DB_KEY: '' });
    expectConsistent(missing.report);
    expect(missing.code).toBe(1);
    expect(missing.rows['key storage']).toMatchObject({ ok: false, code: 'KEY_MISSING' });
    expect(missing.rows['key storage']!.detail).toMatch(/set that variable to the same key/);
    expect(missing.rows.queue).toMatchObject({ ok: false, code: 'KEY_MISSING' });
    const text = await station(['--data-dir', dataDir, 'doctor', '--no-network'], { STATION_DB_KEY: '' });
    expect(text.stdout).not.toMatch(/^key storage\s+ok/m);
    expect(text.stdout).toMatch(/^key storage\s+FAIL\s+.*\[KEY_MISSING\]$/m);
    expect(text.stdout).not.toMatch(/All checks passed/);

    const wrongDbKey = await doctor({ ...bwsEnv(service.credentials.key), STATION_DB_KEY: testDbKey() });
    expectConsistent(wrongDbKey.report);
    expect(wrongDbKey.rows['key storage']).toMatchObject({ ok: false, code: 'KEY_WRONG' });
    expect(wrongDbKey.rows.queue).toMatchObject({ ok: false, code: 'KEY_WRONG' });
  });
});
