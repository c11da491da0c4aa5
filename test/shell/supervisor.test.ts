import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StationApi } from '../../src/shared/contract.js';
import type { SyncStatus } from '../../src/shared/schemas.js';
import { StationError } from '../../src/shared/errors.js';
import { hostEngine } from '../../src/engine/host/engine-host.js';
import { eventPortTransport } from '../../src/engine/host/transport.js';
import { EngineSupervisor, type SupervisorOptions } from '../../src/main/engine-supervisor.js';
import { FakeMessagePortMain, MessageChannelMain, resetElectronStub, utilityProcess, type FakeUtilityProcess } from '../stubs/electron.js';
import { MemoryStation } from '../stubs/memory-station.js';

async function until(condition: () => boolean, what: string, limitMs = 5_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Plays the engine process: each fork gets a fresh MemoryStation behind the real RPC host. */
function playEngines(build: (index: number, init: { dataDir: string; key: Uint8Array }) => StationApi) {
  const engines: StationApi[] = [];
  const inits: Array<{ dataDir: string; key: Uint8Array }> = [];
  const ports = new Map<FakeUtilityProcess, FakeMessagePortMain>();
  utilityProcess.onMessage = (child, message, transfer) => {
    if ((message as { t?: string }).t !== 'port') return;
    const port = transfer[0] as FakeMessagePortMain;
    ports.set(child, port);
    child.on('exit', () => port.close());
    void hostEngine(eventPortTransport(port), (init) => {
      inits.push({ dataDir: init.dataDir, key: new Uint8Array(init.key) });
      const engine = build(engines.length, init);
      engines.push(engine);
      return engine;
    });
  };
  return { engines, inits };
}

let supervisor: EngineSupervisor | null = null;
let clock = 0;
const KEY = new Uint8Array(32).map((_, i) => i + 1);

function makeSupervisor(overrides: Partial<SupervisorOptions> = {}): EngineSupervisor {
  supervisor = new EngineSupervisor({
    fork: () => utilityProcess.fork('/app/out/main/engine-process.js', [], { serviceName: 'engine' }),
    createChannel: () => new MessageChannelMain(),
    obtainInit: async () => ({ dataDir: '/data/station', key: new Uint8Array(KEY) }),
    backoff: { initialMs: 5, factor: 2, maxMs: 40, resetAfterMs: 1_000 },
    readyTimeoutMs: 2_000,
    now: () => clock,
    ...overrides,
  });
  return supervisor;
}

beforeEach(() => {
  resetElectronStub();
  clock = 0;
});
afterEach(() => {
  supervisor?.stop();
  supervisor = null;
});

describe('engine supervisor', () => {
  it('passes the OS languages to the engine with the init, dropping anything that is not a language tag', async () => {
    const seen: Array<string[] | undefined> = [];
    utilityProcess.onMessage = (_child, message, transfer) => {
      if ((message as { t?: string }).t !== 'port') return;
      void hostEngine(eventPortTransport(transfer[0] as FakeMessagePortMain), (init) => {
        seen.push(init.systemLocales);
        return new MemoryStation('/data/station');
      });
    };
    const sup = makeSupervisor({ obtainInit: async () => ({ dataDir: '/data/station', key: new Uint8Array(KEY), systemLocales: ['de-AT', 'en-US', '<script>'] }) });
    await sup.start();
    await sup.api.info();
    expect(seen).toEqual([['de-AT', 'en-US']]);
  });

  it('forks the engine, hands it the data folder and key over its private port, and forwards requests and events', async () => {
    const { engines, inits } = playEngines(() => new MemoryStation('/data/station'));
    const sup = makeSupervisor();
    const statuses: SyncStatus[] = [];
    sup.api.onSyncStatus((status) => statuses.push(status));
    await sup.start();
    expect(await sup.api.info()).toMatchObject({ dataDir: '/data/station' });
    expect(sup.state).toBe('ready');
    expect(utilityProcess.forked).toHaveLength(1);
    expect(utilityProcess.forked[0]!.modulePath).toBe('/app/out/main/engine-process.js');
    // The key is not on the process's command line or in its first (parent-port) message: only on the port.
    expect(utilityProcess.forked[0]!.args).toEqual([]);
    expect(utilityProcess.forked[0]!.messages[0]!.message).toEqual({ t: 'port' });
    expect(inits).toEqual([{ dataDir: '/data/station', key: KEY }]);
    const sent = (engines[0] as MemoryStation).emitSyncStatus();
    await until(() => statuses.length === 1, 'the event');
    expect(statuses).toEqual([sent]);
  });

  it('respawns a crashed engine with exponential backoff, capped, and resets after a stable run', async () => {
    const { engines } = playEngines(() => new MemoryStation());
    const sup = makeSupervisor();
    await sup.start();
    await sup.api.info();
    for (let crash = 1; crash <= 5; crash += 1) {
      utilityProcess.forked.at(-1)!.crash(134);
      expect(sup.state).toBe('backoff');
      // A request made while the engine is down waits for the new one instead of failing.
      await expect(sup.api.info()).resolves.toMatchObject({ version: '0.0.0-test' });
      expect(utilityProcess.forked).toHaveLength(crash + 1);
    }
    expect(sup.respawnDelays).toEqual([5, 10, 20, 40, 40]);
    expect(engines).toHaveLength(6);

    clock += 5_000; // the current engine has now been up longer than resetAfterMs
    utilityProcess.forked.at(-1)!.crash(1);
    await sup.api.info();
    expect(sup.respawnDelays.at(-1)).toBe(5);
  });

  it('fails requests in flight when the engine dies (no replay: an enroll may have happened) and carries subscriptions over', async () => {
    const gates: Array<() => void> = [];
    playEngines(() => {
      const engine = new MemoryStation();
      engine.syncNow = () => new Promise((resolve) => gates.push(() => resolve(engine.syncStatus())));
      return engine;
    });
    const sup = makeSupervisor();
    let changes = 0;
    sup.api.onJobsChanged(() => (changes += 1));
    await sup.start();
    const inFlight = sup.api.syncNow();
    await until(() => gates.length === 1, 'the request to reach the engine');
    utilityProcess.forked[0]!.crash(139);
    await expect(inFlight).rejects.toMatchObject({ code: 'ENGINE_RESTARTED' });

    // The listener registered once hears the new engine.
    await sup.api.info();
    const second = utilityProcess.forked.length;
    expect(second).toBe(2);
    await sup.api.enroll({ classId: '77', images: [{ name: 'a.jpg', bytes: new Uint8Array([0xff, 0xd8]) }], force: false });
    await until(() => changes === 1, 'jobsChanged from the respawned engine');
  });

  it('does not start an engine without a key, and says why', async () => {
    playEngines(() => new MemoryStation());
    const sup = makeSupervisor({
      obtainInit: async () => {
        throw new StationError('KEYSTORE_UNAVAILABLE', 'No OS keyring is available.');
      },
    });
    await sup.start();
    expect(sup.state).toBe('failed');
    expect(utilityProcess.forked).toHaveLength(0);
    await expect(sup.api.listJobs()).rejects.toMatchObject({ code: 'KEYSTORE_UNAVAILABLE', message: 'No OS keyring is available.' });
  });

  it('keeps retrying an engine that cannot open the queue, and tells waiting requests the last problem', async () => {
    playEngines(() => {
      throw new StationError('DB_LOCKED', 'The queue database is locked by another program.');
    });
    const sup = makeSupervisor({ readyTimeoutMs: 150 });
    await sup.start();
    // However slow the machine, the respawns come with growing delays (the clock is frozen, so none resets).
    await until(() => sup.respawnDelays.length >= 3, 'three respawns', 30_000);
    expect(sup.respawnDelays.slice(0, 3)).toEqual([5, 10, 20]);
    expect(utilityProcess.forked.length).toBeGreaterThanOrEqual(3);
    await expect(sup.api.info()).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('locked by another program') });
    expect(utilityProcess.forked.slice(0, -1).every((child) => child.killed)).toBe(true);
  });

  it('does not respawn an engine that refused to start on damaged models, and gives requests its message', async () => {
    playEngines(() => {
      throw new StationError('MODEL_CHECKSUM', 'The face models in /opt/station/resources/models are damaged or were changed: fr_detect.onnx. Reinstall Enrollment Station.');
    });
    const sup = makeSupervisor();
    await sup.start();
    await until(() => sup.state === 'failed', 'the supervisor to give up');
    await expect(sup.api.info()).rejects.toMatchObject({ code: 'MODEL_CHECKSUM', message: expect.stringContaining('Reinstall Enrollment Station') });
    await until(() => utilityProcess.forked[0]!.killed, 'the refused engine to be ended');
    expect(utilityProcess.forked).toHaveLength(1);
    expect(sup.respawnDelays).toEqual([]);
  });

  it('stop() ends the engine for good and wipes the key from memory', async () => {
    playEngines(() => new MemoryStation());
    let handed: Uint8Array | null = null;
    const sup = makeSupervisor({
      obtainInit: async () => {
        handed = new Uint8Array(KEY);
        return { dataDir: '/d', key: handed };
      },
    });
    await sup.start();
    await sup.api.info();
    sup.stop();
    expect(utilityProcess.forked[0]!.killed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(utilityProcess.forked).toHaveLength(1);
    expect(sup.respawnDelays).toEqual([]);
    expect([...handed!].every((byte) => byte === 0)).toBe(true);
    await expect(sup.api.info()).rejects.toMatchObject({ code: 'ENGINE_STOPPED' });
  });
});
