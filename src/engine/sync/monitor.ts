import { EventEmitter } from 'node:events';
import type { Connectivity } from '../../shared/schemas.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';

/**
 * Connectivity monitor: asks the service's health `readiness` and publishes online / offline / degraded.
 * While online it checks every `onlineIntervalMs`; while offline or degraded it retries with full-jitter
 * backoff (so a dead network is not hammered, and a returning one is noticed within seconds to a minute).
 * The sync engine reports failed sends (`suspect()`), which triggers a check at once.
 */
export interface MonitorOptions {
  onlineIntervalMs: number;
  backoff: BackoffOptions;
  deadlineMs: number;
  random: () => number;
}

export const DEFAULT_MONITOR: MonitorOptions = {
  onlineIntervalMs: 30_000,
  backoff: { baseMs: 1_000, capMs: 60_000, quotaFactor: 1 },
  deadlineMs: 5_000,
  random: Math.random,
};

export type ReadinessProbe = (deadlineMs: number) => Promise<boolean>;

export class ConnectivityMonitor extends EventEmitter<{ change: [Connectivity] }> {
  private state: Connectivity = 'offline';
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<Connectivity> | null = null;
  private stopped = true;

  constructor(private readonly probe: ReadinessProbe, private readonly options: MonitorOptions = DEFAULT_MONITOR) {
    super();
  }

  get connectivity(): Connectivity {
    return this.state;
  }

  start(): void {
    this.stopped = false;
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Something failed in a way that smells of the network: check now rather than at the next tick. */
  suspect(): void {
    if (!this.stopped) void this.check();
  }

  /** A send just succeeded: the service is clearly reachable. */
  confirmOnline(): void {
    this.failures = 0;
    this.set('online');
  }

  /** Runs one check (joining one already running) and schedules the next. */
  check(): Promise<Connectivity> {
    if (this.checking) return this.checking;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.checking = (async () => {
      let next: Connectivity;
      try {
        next = (await this.probe(this.options.deadlineMs)) ? 'online' : 'degraded';
      } catch {
        next = 'offline';
      }
      this.failures = next === 'online' ? 0 : this.failures + 1;
      this.set(next);
      this.schedule();
      return next;
    })().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.state === 'online'
      ? this.options.onlineIntervalMs
      : Math.max(50, backoffDelay(this.failures, this.options.backoff, this.options.random));
    this.timer = setTimeout(() => void this.check(), delay);
  }

  private set(next: Connectivity): void {
    if (next === this.state) return;
    this.state = next;
    this.emit('change', next);
  }
}
