import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Station } from '../../src/engine/station.js';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { SyncLock } from '../../src/engine/sync/index.js';
import type { SyncStatus } from '../../src/shared/schemas.js';
import { tempDir } from '../helpers/paths.js';
import { station as run } from './helpers.js';

/** The app's background sync (Station.startBackgroundSync), as the Electron engine process runs it. */
describe('background sync of the app', () => {
  const opened: Station[] = [];
  const retryDefault = Station.LOCK_RETRY_MS;
  afterEach(async () => {
    Station.LOCK_RETRY_MS = retryDefault;
    for (const station of opened.splice(0)) await station.close();
  });

  async function openStation(env: NodeJS.ProcessEnv): Promise<Station> {
    const dataDir = path.join(tempDir('station-bg-'), 'data');
    const station = await Station.open({ dataDir, keyProvider: new HeadlessKeyProvider({ envKey: randomBytes(32).toString('base64') }), env });
    opened.push(station);
    return station;
  }

  it('stays off without an endpoint, and starts once one is saved', async () => {
    const station = await openStation({});
    await station.startBackgroundSync();
    expect(await station.syncStatus()).toMatchObject({ running: false, connectivity: 'unconfigured', paused: null });
    await station.setSetting('clientId', 'app-test');
    await station.setSetting('key', randomBytes(64).toString('base64'));
    await station.setSetting('endpoint', 'http://127.0.0.1:9');
    expect((await station.syncStatus()).running).toBe(true);
  });

  it('waits for a sync lock held by another syncer, says so, and takes over when it is released', async () => {
    Station.LOCK_RETRY_MS = 100;
    const station = await openStation({ BWS_ENDPOINT: 'http://127.0.0.1:9', BWS_CLIENT_ID: 'app-test', BWS_KEY: randomBytes(64).toString('base64') });
    const statuses: SyncStatus[] = [];
    station.onSyncStatus((status) => statuses.push(status));
    const other = await SyncLock.acquire(station.dataDir, { purpose: 'station sync --watch' });
    await station.startBackgroundSync();
    const blocked = await station.syncStatus();
    expect(blocked.running).toBe(false);
    expect(blocked.paused?.code).toBe('SYNC_LOCKED');
    expect(blocked.paused?.message).toMatch(/station sync --watch/);
    other.release();
    const deadline = Date.now() + 10_000;
    while (!(await station.syncStatus()).running && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await station.syncStatus()).running).toBe(true);
    expect(statuses.some((status) => status.paused?.code === 'SYNC_LOCKED')).toBe(true);
  });
});

describe('read-only commands on a folder with no queue yet', () => {
  it('queue shows an empty queue and sync has nothing to do; neither creates the folder', async () => {
    const dataDir = path.join(tempDir('station-empty-'), 'data');
    const queue = await run(['--data-dir', dataDir, '--json', 'queue']);
    expect(queue.code).toBe(0);
    expect(JSON.parse(queue.stdout)).toEqual({ jobs: [] });
    const sync = await run(['--data-dir', dataDir, 'sync', '--local']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/Nothing to sync/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
