import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../src/engine/paths.js';
import { SyncLock } from '../../src/engine/sync/lock.js';
import { tempDir } from '../helpers/paths.js';
import { buildEngineForChildren } from '../store/helpers.js';
import { startRunner } from './runner.js';

describe('one syncer per data folder', () => {
  // The child processes' engine build is set-up (hook timeout), not part of what a test's hang guard measures:
  // on a loaded machine compiling it can take longer than the test itself.
  let buildDir: string;
  beforeAll(() => {
    buildDir = buildEngineForChildren();
  });

  it('a second syncer in the same process is refused with a clear message until the first releases', async () => {
    const dir = tempDir('station-lock-');
    const first = await SyncLock.acquire(dir, { purpose: 'station sync' });
    expect(SyncLock.tryAcquire(dir)).toBeNull();
    await expect(SyncLock.acquire(dir)).rejects.toMatchObject({
      code: 'SYNC_LOCKED',
      message: expect.stringMatching(new RegExp(`already syncing .*station sync, process ${process.pid}`)),
    });
    first.release();
    const second = await SyncLock.acquire(dir);
    expect(second.held).toBe(true);
    second.release();
  });

  it('the lock file is private (0600) like every other file of the data folder, also when an older one was not', async () => {
    const dir = tempDir('station-lock-');
    const lock = await SyncLock.acquire(dir);
    expect(fs.statSync(dataPaths(dir).syncLock).mode & 0o777).toBe(0o600);
    lock.release();
    fs.chmodSync(dataPaths(dir).syncLock, 0o644);
    (await SyncLock.acquire(dir)).release();
    expect(fs.statSync(dataPaths(dir).syncLock).mode & 0o777).toBe(0o600);
  });

  it('another process holding the lock: refused, or waited for; a SIGKILLed holder frees it', async () => {
    const dir = tempDir('station-lock-');
    const holder = startRunner(['hold', buildDir, dir], {});
    expect(await holder.waitForLine('locked', 20_000)).toBe(true);
    await expect(SyncLock.acquire(dir, { waitMs: 300, pollMs: 50 })).rejects.toMatchObject({
      code: 'SYNC_LOCKED',
      message: expect.stringMatching(new RegExp(`lock-test holder, process ${holder.process.pid}.*Only one may sync`)),
    });
    const waiting = SyncLock.acquire(dir, { waitMs: 20_000, pollMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    holder.process.kill('SIGKILL');
    await holder.exited;
    const lock = await waiting;
    expect(lock.held).toBe(true);
    // and now a new process cannot take it
    const late = startRunner(['sync', buildDir, dir, 'http://127.0.0.1:1'], {});
    await late.exited;
    expect(late.lines.join('\n')).toMatch(/error SYNC_LOCKED Another process is already syncing/);
    lock.release();
  });
});
