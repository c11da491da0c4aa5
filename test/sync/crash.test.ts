import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngineForChildren, freshStore, openStore } from '../store/helpers.js';
import { type FaultyBws, startFaultyBws } from './fault-server.js';
import { enqueueMany } from './helpers.js';
import { startRunner } from './runner.js';

describe('crash safety', () => {
  let buildDir: string;
  let server: FaultyBws;
  beforeAll(async () => {
    buildDir = buildEngineForChildren();
    server = await startFaultyBws();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('50 jobs, a syncer killed with SIGKILL at random moments 20 times: all synced, exactly one Enroll stored per job', async () => {
    const { dir, key, store } = await freshStore();
    const classes = Array.from({ length: 50 }, (_, i) => String(5000 + (i % 20)));
    const ids = enqueueMany(store, classes, 2);
    store.close();
    // Slow answers widen the windows that matter: killed after the service stored, before the answer arrived.
    server.plan = () => ({ kind: 'delay', beforeMs: Math.floor(Math.random() * 120), afterMs: Math.floor(Math.random() * 250) });
    const env = { STATION_DB_KEY: key, BWS_CLIENT_ID: server.credentials.clientId, BWS_KEY: server.credentials.key };
    const args = ['sync', buildDir, dir, server.endpoint];

    let killedInFlight = 0;
    for (let round = 0; round < 20; round += 1) {
      const child = startRunner(args, env);
      const ready = await child.waitForLine('ready', 20_000);
      expect(ready, `round ${round}: ${child.lines.join(' | ')}`).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 700)));
      if (server.inFlight > 0) killedInFlight += 1;
      child.process.kill('SIGKILL');
      await child.exited;
    }
    const last = startRunner(args, env);
    const code = await last.exited;
    expect(code, last.lines.slice(-5).join(' | ')).toBe(0);
    expect(last.lines.at(-1)).toMatch(/^settled /);

    const after = await openStore(dir, key);
    try {
      for (const id of ids) {
        expect(after.getJob(id)?.state, `job ${id}`).toBe('synced');
        expect(server.commits.get(id) ?? 0, `Enrolls stored for job ${id}`).toBe(1);
      }
      expect([...server.commits.values()].reduce((a, b) => a + b, 0)).toBe(50);
      for (const classId of new Set(classes)) {
        expect(server.featureVectors(classId)).toBe(2 * classes.filter((c) => c === classId).length);
      }
      expect(after.verifyAuditChain()).toMatchObject({ ok: true });
      expect(after.db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(0);
      console.log(`crash test: ${killedInFlight}/20 kills hit an Enroll in flight; ${server.arrivals.length} Enroll arrivals for 50 jobs; ${after.listJobs({ limit: 100 }).filter((job) => job.performedAction === 'RECONCILED').length} jobs reconciled`);
    } finally {
      after.close();
    }
  }, 180_000);
});
