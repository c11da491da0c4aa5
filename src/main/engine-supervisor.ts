import { REQUEST_METHODS, type RequestMethod, type StationApi } from '../shared/contract.js';
import type { SyncStatus } from '../shared/schemas.js';
import { StationError, type ErrorInfo } from '../shared/errors.js';
import { createStationClient, type StationClient } from '../engine/host/rpc.js';
import { eventPortTransport, type EventPortLike } from '../engine/host/transport.js';
import type { EngineInit, HandshakeMessage } from '../engine/host/engine-host.js';
import { errorValue } from '../engine/host/validate.js';

/** The part of an Electron UtilityProcess the supervisor uses. */
export interface EngineChild {
  postMessage(message: unknown, transfer?: unknown[]): void;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** An engine that stayed up this long is considered healthy again: the next crash starts from initialMs. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, resetAfterMs: 60_000 };

export interface SupervisorOptions {
  /** Starts one engine process (utilityProcess.fork of out/main/engine-process.js in the app). */
  fork(): EngineChild;
  /** A private channel (MessageChannelMain in the app): port1 stays in main, port2 goes to the engine. */
  createChannel(): { port1: EventPortLike; port2: unknown };
  /** The data folder and the unwrapped key (asked once; kept in main's memory for respawns). */
  obtainInit(): Promise<EngineInit>;
  backoff?: Partial<BackoffPolicy>;
  /** How long a request waits for a (re)starting engine before it fails. */
  readyTimeoutMs?: number;
  schedule?(callback: () => void, ms: number): unknown;
  cancel?(handle: unknown): void;
  now?(): number;
  log?(line: string): void;
}

/** Start-up refusals that a respawn cannot cure (the installation must be repaired). */
const NOT_RETRIED = new Set(['MODEL_MISSING', 'MODEL_CHECKSUM', 'MODEL_MANIFEST']);

export type SupervisorState = 'idle' | 'starting' | 'ready' | 'backoff' | 'failed' | 'stopped';

/**
 * Runs the engine in its own process and keeps it running: spawns it, hands it the key and data folder over
 * a private MessagePort, and respawns it with exponential backoff when it dies. `api` is a StationApi that
 * survives respawns: requests wait for a ready engine, event subscriptions are carried over, and requests in
 * flight when the engine died fail with ENGINE_RESTARTED (they are not replayed: an enroll may have happened).
 */
export class EngineSupervisor {
  readonly api: StationApi;
  private readonly backoff: BackoffPolicy;
  private readonly schedule: (callback: () => void, ms: number) => unknown;
  private readonly cancel: (handle: unknown) => void;
  private readonly now: () => number;
  private stateValue: SupervisorState = 'idle';
  private init: EngineInit | null = null;
  private child: EngineChild | null = null;
  private client: StationClient | null = null;
  private startedAt = 0;
  private failures = 0;
  private timer: unknown = null;
  private lastError: ErrorInfo | null = null;
  private readyWaiters: Array<{ resolve: (client: StationClient) => void; reject: (error: StationError) => void }> = [];
  private readonly listeners = { syncStatus: new Set<(status: SyncStatus) => void>(), jobsChanged: new Set<() => void>() };
  /** Delays of the respawns scheduled so far (for diagnostics and tests). */
  readonly respawnDelays: number[] = [];
  spawnCount = 0;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.schedule = options.schedule ?? ((callback, ms) => setTimeout(callback, ms));
    this.cancel = options.cancel ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.now = options.now ?? (() => Date.now());
    this.api = this.buildApi();
  }

  get state(): SupervisorState {
    return this.stateValue;
  }

  get error(): ErrorInfo | null {
    return this.lastError;
  }

  async start(): Promise<void> {
    if (this.stateValue !== 'idle') return;
    this.stateValue = 'starting';
    try {
      this.init = await this.options.obtainInit();
    } catch (error) {
      // No key, no engine: respawning would not help. Requests get this error until the app restarts.
      this.fail(errorValue(error));
      return;
    }
    this.spawn();
  }

  stop(): void {
    this.stateValue = 'stopped';
    this.lastError = { code: 'ENGINE_STOPPED', message: 'The station is shutting down.' };
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    this.client?.dispose({ code: 'ENGINE_STOPPED', message: 'The station is shutting down.' });
    this.client = null;
    this.child?.kill();
    this.child = null;
    this.rejectWaiters(new StationError('ENGINE_STOPPED', 'The station is shutting down.'));
    if (this.init) this.init.key.fill(0);
  }

  private spawn(): void {
    if (this.stateValue === 'stopped' || !this.init) return;
    this.stateValue = 'starting';
    this.spawnCount += 1;
    this.startedAt = this.now();
    const child = this.options.fork();
    this.child = child;
    const { port1, port2 } = this.options.createChannel();
    const transport = eventPortTransport(port1);
    child.on('exit', (code) => this.onExit(child, code));
    const stopHandshake = transport.onMessage((message) => {
      const handshake = message as HandshakeMessage;
      if (handshake?.t === 'ready' && this.child === child) {
        stopHandshake();
        this.client = createStationClient(transport);
        this.client.onSyncStatus((status) => this.listeners.syncStatus.forEach((listener) => listener(status)));
        this.client.onJobsChanged(() => this.listeners.jobsChanged.forEach((listener) => listener()));
        this.stateValue = 'ready';
        this.lastError = null;
        const waiters = this.readyWaiters;
        this.readyWaiters = [];
        for (const waiter of waiters) waiter.resolve(this.client);
      } else if (handshake?.t === 'fatal') {
        stopHandshake();
        this.lastError = handshake.error;
        this.options.log?.(`engine: could not start: ${handshake.error.code}`);
        // A damaged installation stays damaged: respawning would only repeat the refusal.
        if (NOT_RETRIED.has(handshake.error.code)) this.fail(handshake.error);
        child.kill();
      }
    });
    child.postMessage({ t: 'port' }, [port2]);
    // Copy: the child's structured clone must not share the buffer that stop() wipes.
    transport.send({ t: 'init', dataDir: this.init.dataDir, key: new Uint8Array(this.init.key), systemLocales: this.init.systemLocales ?? [] } satisfies HandshakeMessage);
  }

  private onExit(child: EngineChild, code: number): void {
    if (this.child !== child) return;
    this.child = null;
    const lost: ErrorInfo = { code: 'ENGINE_RESTARTED', message: 'The engine stopped while working on this request and is being restarted; try again.' };
    this.client?.dispose(lost);
    this.client = null;
    if (this.stateValue === 'stopped' || this.stateValue === 'failed') return;
    this.lastError ??= { code: 'ENGINE_RESTARTING', message: `The engine stopped (exit code ${code}) and is being restarted.` };
    const upFor = this.now() - this.startedAt;
    this.failures = upFor >= this.backoff.resetAfterMs ? 1 : this.failures + 1;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * this.backoff.factor ** (this.failures - 1));
    this.respawnDelays.push(delay);
    this.options.log?.(`engine: exited with code ${code}; restarting in ${delay} ms`);
    this.stateValue = 'backoff';
    this.timer = this.schedule(() => {
      this.timer = null;
      this.spawn();
    }, delay);
  }

  private fail(error: ErrorInfo): void {
    this.stateValue = 'failed';
    this.lastError = error;
    this.rejectWaiters(new StationError(error.code, error.message));
  }

  private rejectWaiters(error: StationError): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /**
   * A fresh frame channel to the running engine (waiting, bounded, for a start or respawn): one end goes to
   * the engine process with `{t:'frames'}`, the other is returned for main to hand to a window. Live camera
   * frames then travel window -> engine directly, never through main or the request IPC. After a respawn the
   * old port is dead; the window notices (no answer) and asks for a new one.
   */
  async openFrameChannel(): Promise<unknown> {
    await this.ready();
    const child = this.child;
    if (!child) throw new StationError('ENGINE_UNAVAILABLE', 'The engine is not running yet.');
    const { port1, port2 } = this.options.createChannel();
    child.postMessage({ t: 'frames' }, [port2]);
    return port1;
  }

  /** Resolves with the live client, waiting (bounded) through a start or a respawn. */
  private ready(): Promise<StationClient> {
    if (this.stateValue === 'ready' && this.client) return Promise.resolve(this.client);
    if ((this.stateValue === 'failed' || this.stateValue === 'stopped') && this.lastError) {
      return Promise.reject(new StationError(this.lastError.code, this.lastError.message));
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (client: StationClient) => {
          this.cancel(handle);
          resolve(client);
        },
        reject: (error: StationError) => {
          this.cancel(handle);
          reject(error);
        },
      };
      const handle = this.schedule(() => {
        this.readyWaiters = this.readyWaiters.filter((entry) => entry !== waiter);
        const detail = this.lastError ? ` Last problem: ${this.lastError.message}` : '';
        reject(new StationError('ENGINE_UNAVAILABLE', `The engine is not running yet.${detail}`));
      }, this.options.readyTimeoutMs ?? 30_000);
      this.readyWaiters.push(waiter);
    });
  }

  private buildApi(): StationApi {
    const forward = (method: RequestMethod) => async (...args: unknown[]) => {
      const client = await this.ready();
      return (client[method] as (...callArgs: unknown[]) => Promise<unknown>)(...args);
    };
    const methods = Object.fromEntries(REQUEST_METHODS.map((method) => [method, forward(method)])) as unknown as Pick<StationApi, RequestMethod>;
    return {
      ...methods,
      onSyncStatus: (listener) => {
        this.listeners.syncStatus.add(listener);
        return () => this.listeners.syncStatus.delete(listener);
      },
      onJobsChanged: (listener) => {
        this.listeners.jobsChanged.add(listener);
        return () => this.listeners.jobsChanged.delete(listener);
      },
    };
  }
}
