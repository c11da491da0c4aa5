import type { QueueStore } from '../../src/engine/store/queue-store.js';
import { BwsTransport } from '../../src/engine/sync/bws-transport.js';
import { SyncEngine, type SyncEngineOptions } from '../../src/engine/sync/engine.js';
import { resolveBwsConfig, clientOptionsFrom } from '../../src/engine/bws/config.js';
import { afterEach } from 'vitest';
import { freshStore, syntheticImage } from '../store/helpers.js';
import { type FaultyBws, startFaultyBws } from './fault-server.js';

/** Engine settings that keep tests quick: short backoff, fast polling, short deadlines. */
export const FAST: Partial<SyncEngineOptions> = {
  backoff: { baseMs: 20, capMs: 200 },
  monitor: { onlineIntervalMs: 200, backoff: { baseMs: 30, capMs: 200, quotaFactor: 1 }, deadlineMs: 1000 },
  pollMs: 100,
  enrollDeadlineMs: 3000,
  statusDeadlineMs: 3000,
  ambiguityGraceMs: 200,
};

/** Points the station's settings at an endpoint with the given credentials (as an operator would). */
export function configure(store: QueueStore, endpoint: string, credentials: { clientId: string; key: string }): void {
  store.settings.set('endpoint', endpoint);
  store.settings.set('clientId', credentials.clientId);
  store.settings.set('key', credentials.key);
}

/** The production wiring: a BwsTransport built from the station's settings. */
export function engineFor(store: QueueStore, options: Partial<SyncEngineOptions> = {}): SyncEngine {
  return new SyncEngine({
    store,
    connect: () => {
      const config = resolveBwsConfig({ settings: store.settings, env: {} });
      return config.missing.length > 0 ? null : BwsTransport.fromOptions(clientOptionsFrom(config));
    },
    ...FAST,
    ...options,
  });
}

export function enqueueMany(store: QueueStore, classIds: string[], imagesPerJob = 2): string[] {
  return classIds.map((classId, i) => store.enqueue({ classId, images: Array.from({ length: imagesPerJob }, (_, n) => syntheticImage(`${i}-${n}.png`, 1500)) }));
}

export async function waitFor(condition: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Per-test resources of the sync tests: a fault-injecting server wrapping the real local service, a fresh
 * queue configured for it, and engines, all closed after each test (newest first).
 */
export function useSyncFixtures() {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    cleanups,
    async setup(): Promise<{ store: QueueStore; server: FaultyBws }> {
      const server = await startFaultyBws();
      cleanups.push(() => server.close());
      const { store } = await freshStore();
      cleanups.push(() => store.close());
      configure(store, server.endpoint, server.credentials);
      return { store, server };
    },
    track(engine: SyncEngine): SyncEngine {
      cleanups.push(() => engine.stop());
      return engine;
    },
  };
}
