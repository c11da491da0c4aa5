import { EventEmitter } from 'node:events';
import { StationError, toErrorInfo } from '../../shared/errors.js';
import type { Connectivity, JobState, SyncStatus } from '../../shared/schemas.js';
import type { FailureInfo } from '../bws/errors.js';
import type { QueueStore } from '../store/queue-store.js';
import type { JobRecord, TemplateSnapshot } from '../store/queue-types.js';
import { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay } from './backoff.js';
import { ConnectivityMonitor, DEFAULT_MONITOR, type MonitorOptions } from './monitor.js';
import { enrollmentLanded } from './reconcile.js';
import type { EnrollOutcome, SyncTransport } from './transport.js';

/**
 * The sync engine: drains the queue to BWS effectively once.
 *
 *   queued -> sending -> synced
 *   sending -> retry_wait (backoff) -> sending            retryable failures (bounded for INTERNAL/UNKNOWN)
 *   sending -> ambiguous -> reconciling -> synced | queued  deadline / connection lost after sending / crash
 *   sending -> needs_attention                              permanent errors, ENROLLMENT_FAILED
 *   credentials / wrong host -> the job goes back to queued and the whole queue pauses with the reason
 *
 * The `sending` state is written (fsync) before a request leaves, so after a crash the job is reconciled
 * instead of blindly re-sent. The class's template status is recorded before the first send; reconcile
 * compares against it. A job is re-sent only when the status shows no change AND the last request's deadline
 * (plus a grace period) has passed, so a request still on its way cannot land a second copy.
 */
export interface SyncEngineOptions {
  store: QueueStore;
  /** Builds the client from the current settings; null when BWS is not configured. Called again after credentials change. */
  connect: () => SyncTransport | null | Promise<SyncTransport | null>;
  /** Changes whenever the endpoint or credentials change (default: derived from the settings). */
  credentialsFingerprint?: () => string;
  /** Parallel sends (default: the syncConcurrency setting, 2). */
  concurrency?: number;
  enrollDeadlineMs?: number;
  statusDeadlineMs?: number;
  /** A template status read ahead of the send is used only while younger than this (default 60 s). */
  beforeFreshMs?: number;
  /** Extra wait after an ambiguous send's deadline before concluding it did not land. */
  ambiguityGraceMs?: number;
  backoff?: Partial<BackoffOptions>;
  monitor?: Partial<MonitorOptions>;
  /** How often to look for work written by other processes and for changed credentials. */
  pollMs?: number;
  /**
   * An answered job's after-answer write waits until this long after the last request started to leave
   * (default 10 ms): that write blocks the event loop for 1-2 ms, and while a request is being uploaded the
   * event loop must answer HTTP/2 flow control promptly (see handOverSlot).
   */
  quietAfterSendMs?: number;
  now?: () => number;
  random?: () => number;
}

/**
 * A staged run sends only with at least this share of the Enroll deadline left (counted from its mark);
 * otherwise it goes back to the queue and is marked again when its turn comes.
 */
const STAGED_DEADLINE_SHARE = 0.75;

export interface JobChange {
  id: string;
  classId: string;
  state: JobState;
  error: { code: string; message: string } | null;
}

type Events = { status: [SyncStatus]; job: [JobChange]; error: [StationError] };

export class SyncEngine extends EventEmitter<Events> {
  private readonly store: QueueStore;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly enrollDeadlineMs: number;
  private readonly statusDeadlineMs: number;
  private readonly graceMs: number;
  private readonly beforeFreshMs: number;
  private readonly pollMs: number;
  private readonly quietAfterSendMs: number;
  private readonly fingerprint: () => string;
  private readonly monitorOptions: MonitorOptions;

  private transport: SyncTransport | null = null;
  private monitor: ConnectivityMonitor | null = null;
  private running = false;
  private pausedReason: { code: string; message: string } | null = null;
  private pausedFingerprint: string | null = null;
  private readonly active = new Map<string, Promise<void>>();
  /**
   * Jobs in `active` whose Enroll has been answered: their send slot is free for the next job while their
   * after-answer write is still to come (their class stays busy until it is done).
   */
  private readonly answered = new Set<string>();
  /** Images of the next jobs, loaded while the send slots are busy, so a freed slot can send at once. */
  private readonly preparedImages = new Map<string, Buffer[]>();
  /**
   * Template statuses known without asking the service again, per class (oldest first): read ahead while the
   * send slots were busy, or reported by the answer to the class's last Enroll. An entry describes the template
   * before the class's next send and is taken out when that send starts, so it never outlives a send; it is
   * used only while younger than beforeFreshMs. Every send of a data folder passes through one engine (the
   * sync lock); the map is emptied when the engine stops or reconnects (another process or service may act then).
   */
  private readonly knownStatus = new Map<string, { status: TemplateSnapshot; at: number }>();
  private readonly busyClasses = new Set<string>();
  /** When the last Enroll request started to leave (performance.now(); see handOverSlot). */
  private lastDepartureAt = 0;
  /**
   * Per running job whose request is about to leave (see aboutToLeave): settles when it has left, when its run
   * ended without one, or when it first reads from the service (see handOverSlot).
   */
  private readonly departures = new Map<string, Promise<void>>();
  private readonly leave = new Map<string, () => void>();
  /** Enrolls in flight (at most `concurrency`); a run holds one of these from its request's start to its answer. */
  private enrollsInFlight = 0;
  /**
   * Runs whose `sending` mark is on disk, waiting for an Enroll to end (oldest first): staged while the sends in
   * flight wait for the network, so a freed slot sends at once (see acquireSendSlot). At most `concurrency`.
   */
  private readonly staged: Array<{ id: string; go: (send: boolean) => void }> = [];
  /** Status reads ahead of the send (their classes count as busy meanwhile). */
  private readonly prefetching = new Map<string, { classId: string; done: Promise<void> }>();
  private wakeTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private lastSyncAt: string | null = null;
  private lastResult: string | null = null;
  private stationId = '';
  private idleWaiters: Array<() => void> = [];
  private concurrencyOverride: number | undefined;
  /** After a store failure (disk full, I/O error) no job starts before this time (see reportStoreError). */
  private storeTroubleUntil = 0;

  constructor(options: SyncEngineOptions) {
    super();
    this.store = options.store;
    this.connectFn = options.connect;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.enrollDeadlineMs = options.enrollDeadlineMs ?? 60_000;
    this.statusDeadlineMs = options.statusDeadlineMs ?? 15_000;
    this.graceMs = options.ambiguityGraceMs ?? 5_000;
    this.beforeFreshMs = options.beforeFreshMs ?? 60_000;
    this.pollMs = options.pollMs ?? 5_000;
    this.quietAfterSendMs = options.quietAfterSendMs ?? 10;
    this.concurrencyOverride = options.concurrency;
    this.monitorOptions = { ...DEFAULT_MONITOR, random: this.random, ...options.monitor };
    this.fingerprint = options.credentialsFingerprint ?? (() => {
      const s = this.store.settings;
      return JSON.stringify([s.get('endpoint'), s.get('clientId'), s.get('key'), s.get('caFile'), s.get('insecure')]);
    });
  }

  private readonly connectFn: SyncEngineOptions['connect'];

  private get concurrency(): number {
    return this.concurrencyOverride ?? this.store.settings.get('syncConcurrency');
  }

  // ---------------------------------------------------------------- public surface

  /** Recovers jobs interrupted by a crash, connects, and starts syncing whenever the service is reachable. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stationId = this.store.stationId();
    const recovered = this.store.recoverInterrupted();
    if (recovered > 0) this.lastResult = `${recovered} interrupted job(s) will be reconciled before anything is re-sent`;
    // Rows of synced jobs that an earlier process ended before deleting (their images are unreadable already).
    this.reclaimSynced({ sweep: true });
    await this.connect();
    this.pollTimer = setInterval(() => this.poll(), this.pollMs);
    this.publish();
    this.pump();
  }

  /** Stops starting new sends and waits for those in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.pollTimer = null;
    this.wakeTimer = null;
    this.monitor?.stop();
    this.releaseStaged();
    await Promise.allSettled([...this.active.values(), ...[...this.prefetching.values()].map((entry) => entry.done)]);
    this.preparedImages.clear();
    this.knownStatus.clear();
    await this.transport?.close();
    this.transport = null;
    this.monitor = null;
    this.publish();
    this.notifyIdle();
  }

  /** "Sync now": re-checks connectivity at once and sends whatever is due. */
  async syncNow(): Promise<SyncStatus> {
    if (!this.running) await this.start();
    if (this.pausedReason && this.pausedFingerprint !== this.fingerprint()) await this.credentialsChanged();
    await this.monitor?.check();
    this.pump();
    return this.status();
  }

  /** New work was queued in this process: no need to wait for the next poll. */
  wake(): void {
    this.pump();
  }

  /** The operator changed the endpoint or credentials: reconnect and lift a credentials pause. */
  credentialsChanged(): Promise<void> {
    // One reconnection at a time: the poll may notice the change again while this one is under way.
    this.reconnecting ??= this.reconnect().finally(() => {
      this.reconnecting = null;
    });
    return this.reconnecting;
  }

  private reconnecting: Promise<void> | null = null;

  private async reconnect(): Promise<void> {
    this.releaseStaged();
    await Promise.allSettled([...this.active.values()]);
    this.monitor?.stop();
    await this.transport?.close();
    this.transport = null;
    this.monitor = null;
    // Possibly another service now: what was known of its templates no longer holds.
    this.knownStatus.clear();
    this.pausedReason = null;
    this.pausedFingerprint = null;
    this.recordPause(null);
    if (this.running) await this.connect();
    this.publish();
    this.pump();
  }

  status(): SyncStatus {
    return {
      connectivity: this.connectivity(),
      running: this.running,
      paused: this.pausedReason,
      counts: this.store.counts(),
      lastSyncAt: this.lastSyncAt,
      lastResult: this.lastResult,
    };
  }

  /**
   * Resolves when nothing is in flight and nothing is due now (jobs may still wait for a later retry), or
   * when the queue is paused or offline. For the CLI's `station sync` and for tests.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Until every job has left the pending states (synced / needs_attention / discarded), or the queue pauses. */
  async settle(options: { timeoutMs?: number } = {}): Promise<SyncStatus> {
    const deadline = options.timeoutMs === undefined ? Infinity : this.now() + options.timeoutMs;
    for (;;) {
      const counts = this.store.counts();
      const pending = counts.queued + counts.sending + counts.retry_wait + counts.ambiguous + counts.reconciling;
      if (pending === 0 || this.pausedReason || !this.running || this.now() >= deadline) return this.status();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // ---------------------------------------------------------------- scheduling

  private connectivity(): Connectivity {
    if (!this.transport) return 'unconfigured';
    return this.monitor?.connectivity ?? 'offline';
  }

  private async connect(): Promise<void> {
    try {
      this.transport = await this.connectFn();
    } catch (error) {
      this.transport = null;
      const info = toErrorInfo(error);
      this.pause(info, 'could not connect');
      return;
    }
    if (!this.transport) {
      this.lastResult = 'BWS is not configured: set the endpoint, client id and key';
      return;
    }
    const transport = this.transport;
    this.monitor = new ConnectivityMonitor((deadlineMs) => transport.readiness({ deadlineMs }), this.monitorOptions);
    this.monitor.on('change', () => {
      this.publish();
      this.pump();
    });
    this.monitor.start();
  }

  private poll(): void {
    if (this.reconnecting) return;
    if (this.pausedReason && this.pausedFingerprint !== null && this.fingerprint() !== this.pausedFingerprint) {
      void this.credentialsChanged();
      return;
    }
    this.pump();
  }

  /**
   * Starts sends in the free slots, and reads the template status of the next few jobs ahead of time, so a
   * slot that frees up can send at once: the status call is then off the critical path (the `concurrency`
   * limit is about parallel Enrolls, the read-ahead adds at most as many small status reads).
   */
  private pump(): void {
    if (!this.running || this.pausedReason || !this.transport || this.connectivity() !== 'online') {
      this.notifyIdle();
      return;
    }
    if (this.now() < this.storeTroubleUntil) return;
    // Runs not yet answered: the Enrolls in flight, and as many staged behind them (see acquireSendSlot).
    const free = Math.max(0, 2 * this.concurrency - (this.active.size - this.answered.size));
    const lookahead = this.concurrency;
    // Nothing could start: no pick (a query per call, and pump runs several times per job). Every slot or
    // read-ahead that ends pumps again, and that pump also re-arms the timer for waiting retries.
    if (free === 0 && this.prefetching.size >= lookahead) return;
    const busy = new Set([...this.busyClasses, ...[...this.prefetching.values()].map((entry) => entry.classId)]);
    try {
      let launched = 0;
      for (const pick of this.store.pickCandidates(this.now(), busy, free + lookahead)) {
        if (launched < free) {
          const job = this.store.getJob(pick.id);
          if (job) this.launch(job);
          launched += 1;
        } else if (pick.state === 'queued' || pick.state === 'retry_wait') {
          // Behind the sends just started (their marks are being flushed): the next jobs' status and images.
          // Most picks find a job prepared by an earlier pump: its record is not read again.
          if (this.preparedImages.has(pick.id)) continue;
          if (this.knownFresh(pick.classId)) {
            this.prepareImages(pick.id);
            continue;
          }
          const job = this.store.getJob(pick.id);
          if (!job) continue;
          if (this.hasFreshBefore(job)) this.prepareImages(job.id);
          else if (this.prefetching.size < lookahead) this.prefetch(job);
        }
      }
    } catch (error) {
      this.reportStoreError(error);
      return;
    }
    this.armWake();
    this.notifyIdle();
  }

  private hasFreshBefore(job: JobRecord): boolean {
    return job.before !== null && job.beforeAt !== null && this.isFresh(job.beforeAt);
  }

  private isFresh(at: number): boolean {
    return this.now() - at <= this.beforeFreshMs;
  }

  /** Whether the class's template status before its next send is known (read ahead or answered), and fresh. */
  private knownFresh(classId: string): boolean {
    const known = this.knownStatus.get(classId);
    return known !== undefined && this.isFresh(known.at);
  }

  private rememberStatus(classId: string, status: TemplateSnapshot, at: number): void {
    this.knownStatus.delete(classId);
    this.knownStatus.set(classId, { status, at });
    // Oldest first: drop what has gone stale, so the map holds only the last beforeFreshMs of answers.
    for (const [oldClass, entry] of this.knownStatus) {
      if (this.isFresh(entry.at)) break;
      this.knownStatus.delete(oldClass);
    }
  }

  /** Takes the class's known status out (its next send starts now); undefined when none or stale. */
  private takeKnownStatus(classId: string): { status: TemplateSnapshot; at: number } | undefined {
    const known = this.knownStatus.get(classId);
    this.knownStatus.delete(classId);
    return known && this.isFresh(known.at) ? known : undefined;
  }

  /**
   * The answer reports the template after this enrollment, which is the status the class's next send needs
   * to record: it is remembered instead of read again. Trusted only when it visibly holds this enrollment (the
   * feature vectors recorded before the send plus the images enrolled now); otherwise (an upgrade, another
   * station enrolling the class meanwhile, a service that reports no status) the next send reads it.
   */
  private rememberStatusAfter(classId: string, before: TemplateSnapshot, outcome: EnrollOutcome): void {
    const after = outcome.templateAfter;
    if (!after?.available || outcome.enrolledImages <= 0) return;
    if (after.featureVectors !== (before.available ? before.featureVectors : 0) + outcome.enrolledImages) return;
    this.rememberStatus(classId, after, this.now());
  }

  /** Loads a waiting job's images ahead of its send (bounded); a failed read is left to the send to report. */
  private prepareImages(id: string): void {
    if (this.preparedImages.has(id) || this.preparedImages.size >= 2 * this.concurrency) return;
    try {
      this.preparedImages.set(id, this.store.loadImages(id));
    } catch {
      // the send loads them again and reports the failure
    }
  }

  private prefetch(job: JobRecord): void {
    const transport = this.transport;
    if (!transport) return;
    const startedAt = this.now();
    const done = transport
      .templateStatus(job.classId, { deadlineMs: this.statusDeadlineMs })
      .then((status) => {
        // Nothing of the class is sent while its status is read (the class counts as busy meanwhile).
        this.rememberStatus(job.classId, status, startedAt);
        // A job discarded meanwhile is refused by markSending anyway.
        this.prepareImages(job.id);
      })
      // A failed read ahead costs nothing: the send reads the status itself and handles the error.
      .catch(() => {})
      .finally(() => {
        this.prefetching.delete(job.id);
        this.pump();
      });
    this.prefetching.set(job.id, { classId: job.classId, done });
  }

  private launch(job: JobRecord): void {
    this.busyClasses.add(job.classId);
    this.aboutToLeave(job.id);
    const run = this.process(job)
      .catch((error: unknown) => this.reportStoreError(error))
      .finally(() => {
        this.departed(job.id);
        this.active.delete(job.id);
        this.answered.delete(job.id);
        this.preparedImages.delete(job.id);
        this.busyClasses.delete(job.classId);
        this.publish();
        this.pump();
        // Nothing left to send: delete what the last synced jobs left behind now rather than at the next batch.
        if (this.active.size === 0) this.reclaimSynced();
      });
    this.active.set(job.id, run);
  }

  /** Housekeeping (see QueueStore.reclaimSynced): a failure leaves the rows for a later sweep. */
  private reclaimSynced(options: { sweep?: boolean } = {}): void {
    try {
      this.store.reclaimSynced(options);
    } catch {
      // the next write reports the store's trouble
    }
  }

  private armWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    if (!this.running) return;
    let due: number | null;
    try {
      due = this.store.nextDueAt();
    } catch {
      return;
    }
    if (due === null) return;
    const delay = Math.max(10, Math.min(due - this.now(), 2_147_000_000));
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.pump();
    }, delay);
  }

  private isIdle(): boolean {
    if (this.active.size > 0 || this.prefetching.size > 0) return false;
    if (!this.running || this.pausedReason || this.connectivity() !== 'online') return true;
    try {
      return this.store.pickCandidates(this.now(), this.busyClasses, 1).length === 0;
    } catch {
      return true;
    }
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---------------------------------------------------------------- one job

  private async process(job: JobRecord): Promise<void> {
    const transport = this.transport;
    if (!transport) return;
    // Whatever happens now, the class's next send must not use what was known before this run.
    const known = this.takeKnownStatus(job.classId);
    if (job.state === 'ambiguous' || job.state === 'reconciling' || job.state === 'sending') {
      // Not a send prepared ahead: an answered job's write does not wait for this one's reads.
      this.departed(job.id);
      const verdict = await this.reconcile(job, transport);
      if (verdict !== 'resend') return;
      this.aboutToLeave(job.id);
    }
    // The status to compare against if this send's outcome is lost: known (read ahead, or reported by the
    // class's last answer), recorded with an earlier send of this job, or read now. Re-reading it is safe here:
    // nothing of this job is in flight (it was queued, or reconcile just found that the last send did not land).
    let before = job.state === 'queued' || job.state === 'retry_wait' ? (known?.status ?? null) : null;
    let beforeAt = known?.at ?? this.now();
    if (!before && job.before && this.hasFreshBefore(job)) {
      before = job.before;
      beforeAt = job.beforeAt ?? beforeAt;
    }
    if (!before) {
      this.departed(job.id);
      beforeAt = this.now();
      try {
        before = await transport.templateStatus(job.classId, { deadlineMs: this.statusDeadlineMs });
      } catch (error) {
        this.handleFailure(job, job.attempts + 1, transport.classify(error), false);
        return;
      }
      // Read: from here on its request is about to leave (an answered job that starts waiting now waits for it).
      this.aboutToLeave(job.id);
    }
    const images = this.preparedImages.get(job.id) ?? this.store.loadImages(job.id);
    this.preparedImages.delete(job.id);
    if (images.length !== job.imageCount) {
      // Discarded or purged while the status was read: its images are gone on purpose; leave it as it is.
      const state = this.store.getJob(job.id)?.state;
      if (state !== 'queued' && state !== 'retry_wait') return;
      this.store.markNeedsAttention(job.id, this.now(), { code: 'INTERNAL', message: `The job's images are incomplete (${images.length} of ${job.imageCount}); it cannot be sent. Discard it and enroll again.` });
      this.emitJob(job, 'needs_attention');
      return;
    }
    const attempt = job.attempts + 1;
    const reference = `${this.stationId}-${job.id}-${attempt}`;
    // Resolves once the mark is on disk (its fsync runs off the event loop, so answers to the sends in flight
    // are handled meanwhile); only then may the request leave.
    const markedAt = this.now();
    if (!(await this.store.markSending(job.id, { before, beforeAt, reference, deadlineMs: this.enrollDeadlineMs, now: markedAt }))) return;
    this.emitJob(job, 'sending');
    // Staged while every slot is busy. The request's deadline counts from the mark (reconcile waits out the
    // recorded one), so a run that waited long gives its mark back rather than send with less of it.
    const slot = await this.acquireSendSlot(job.id);
    const deadlineMs = markedAt + this.enrollDeadlineMs - this.now();
    if (!slot || deadlineMs < this.enrollDeadlineMs * STAGED_DEADLINE_SHARE || !this.canSend(transport)) {
      if (slot) this.releaseSendSlot();
      this.unstage(job);
      return;
    }
    let outcome;
    try {
      const answer = transport.enroll(job.classId, images, { reference, deadlineMs });
      this.lastDepartureAt = performance.now();
      this.departed(job.id);
      outcome = await answer;
    } catch (error) {
      this.releaseSendSlot();
      this.handleFailure(job, attempt, transport.classify(error), true);
      return;
    }
    const heir = this.releaseSendSlot();
    this.monitor?.confirmOnline();
    this.rememberStatusAfter(job.classId, before, outcome);
    await this.handOverSlot(job, heir);
    if (outcome.status === 'SUCCEEDED' && outcome.action !== 'ENROLLMENT_FAILED') {
      this.store.markSynced(job.id, { now: this.now(), serverJobId: outcome.serverJobId, performedAction: outcome.action });
      this.lastSyncAt = new Date(this.now()).toISOString();
      this.lastResult = `job ${job.id} synced (${outcome.action})`;
      this.emitJob(job, 'synced');
      return;
    }
    const message = outcome.action === 'ENROLLMENT_FAILED'
      ? `BWS could not enroll these images: ${outcome.errorText || 'no reason given'}. Capture new images and enroll again.`
      : `BWS answered ${outcome.status}${outcome.errorText ? `: ${outcome.errorText}` : ''}.`;
    const error = { code: outcome.action === 'ENROLLMENT_FAILED' ? 'ENROLLMENT_FAILED' : 'BWS_ERROR', message };
    this.store.markNeedsAttention(job.id, this.now(), error, { serverJobId: outcome.serverJobId, performedAction: outcome.action });
    this.emitJob(job, 'needs_attention', error);
  }

  /**
   * The answer is in: the next job may use this send slot before this job's after-answer write, which waits
   * until the request of the job that took the slot has left (a staged job sends at once; a job started now
   * once its mark is on disk; or it ended without sending), one more turn of the event loop, and then until
   * `quietAfterSendMs` after the last request started to leave: that write is synchronous SQLite work (1-2 ms)
   * and the next pump prepares more jobs, and both run while the Enrolls are in flight instead of between an
   * answer and the next send, or while a request is still being uploaded (an event loop busy then answers the
   * service's HTTP/2 window updates late, and the upload stalls: on the queue benchmark's 50 ms server this
   * took the engine from 0.87 to about 1.0 of plain grpc-js calls). With a staged heir this answer does not
   * even pump before the heir's request has left.
   * A crash in between finds this job in `sending` and reconciles it, as for any crash after the answer; its
   * class stays busy until the write is done, so nothing else of the class can go meanwhile.
   */
  private async handOverSlot(job: JobRecord, heir: string | null): Promise<void> {
    this.answered.add(job.id);
    if (!heir) this.pump();
    // The staged run that took the slot; otherwise every run whose request has not left yet (started by this
    // pump, or still flushing its mark): the first of them to leave took the slot.
    const next = heir ? [this.departures.get(heir)] : [...this.departures.values()];
    if (next.length > 0) await Promise.race(next);
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Once, not in a loop: with many slots requests leave all the time, and the write must not wait for a gap.
    const wait = this.lastDepartureAt + this.quietAfterSendMs - performance.now();
    if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait));
  }

  /**
   * An Enroll slot for a run whose mark is on disk: at once when one is free, otherwise once an Enroll in
   * flight ends (oldest staged run first). Resolves false when the run must not send after all (the engine
   * stops, pauses or reconnects meanwhile).
   */
  private acquireSendSlot(id: string): Promise<boolean> {
    // releaseStaged has already run for the runs waiting when the engine stopped, paused or began to reconnect.
    if (!this.sendsAllowed()) return Promise.resolve(false);
    const slot = new Promise<boolean>((go) => this.staged.push({ id, go }));
    this.grantSlots();
    return slot;
  }

  /** An Enroll ended: its slot goes to the oldest staged run, whose id is returned (null when none waits). */
  private releaseSendSlot(): string | null {
    this.enrollsInFlight -= 1;
    return this.grantSlots();
  }

  /** Free slots go to staged runs, oldest first (the concurrency setting may change while they wait). */
  private grantSlots(): string | null {
    let first: string | null = null;
    while (this.enrollsInFlight < this.concurrency && this.staged.length > 0) {
      const next = this.staged.shift()!;
      this.enrollsInFlight += 1;
      next.go(true);
      first ??= next.id;
    }
    return first;
  }

  /** Staged runs give their marks back (stop, pause, reconnect): none of their requests has left. */
  private releaseStaged(): void {
    for (const run of this.staged.splice(0)) run.go(false);
  }

  /** Not stopping, paused or reconnecting. */
  private sendsAllowed(): boolean {
    return this.running && !this.pausedReason && !this.reconnecting;
  }

  private canSend(transport: SyncTransport): boolean {
    return this.sendsAllowed() && this.transport === transport && this.connectivity() === 'online';
  }

  /**
   * A staged run that will not send: its job goes back to the queue, the attempt uncounted. Nothing left this
   * process, and the write needs no fsync: if a power cut loses it, the job is found in `sending` and
   * reconciled, which is safe too.
   */
  private unstage(job: JobRecord): void {
    try {
      if (this.store.unmarkSending(job.id, this.now())) this.emitJob(job, 'queued');
    } catch (error) {
      // Left in `sending`: it is reconciled before it is sent again.
      this.reportStoreError(error);
    }
  }

  /**
   * The job's request is about to leave (nothing slow comes before it but its mark's flush): an answered job's
   * write started from now on waits for it (see handOverSlot) until `departed`.
   */
  private aboutToLeave(id: string): void {
    let left = (): void => {};
    this.departures.set(id, new Promise<void>((resolve) => {
      left = resolve;
    }));
    this.leave.set(id, left);
  }

  /** The job's request has left, its run ended without one, or it reads from the service first. */
  private departed(id: string): void {
    this.leave.get(id)?.();
    this.leave.delete(id);
    this.departures.delete(id);
  }

  /** Decides for a job whose last send has an unknown outcome. */
  private async reconcile(job: JobRecord, transport: SyncTransport): Promise<'done' | 'resend'> {
    if (!job.before) {
      const error = { code: 'INTERNAL', message: 'The outcome of the last send is unknown and no template status was recorded before it, so it cannot be reconciled safely. Check the template with `station bws status`, then retry or discard the job.' };
      this.store.markNeedsAttention(job.id, this.now(), error);
      this.emitJob(job, 'needs_attention', error);
      return 'done';
    }
    this.store.markReconciling(job.id, this.now());
    this.emitJob(job, 'reconciling');
    let current: TemplateSnapshot;
    try {
      current = await transport.templateStatus(job.classId, { deadlineMs: this.statusDeadlineMs });
    } catch (error) {
      const info = transport.classify(error);
      const failure = { code: info.code, message: `Reconciling: ${info.message}` };
      if (info.class === 'credentials' || info.class === 'wrong_host') {
        this.store.markAmbiguous(job.id, this.now(), this.now(), failure);
        this.pause({ code: info.code, message: info.message });
      } else {
        // Each failed reconcile read counts as a try, so the wait grows instead of polling at the base delay.
        this.store.markAmbiguous(job.id, this.now(), this.now() + backoffDelay(job.attempts + 1, this.backoff, this.random), failure, { countAttempt: true });
        this.monitor?.suspect();
      }
      this.emitJob(job, 'ambiguous', failure);
      return 'done';
    }
    if (enrollmentLanded(job.before, current)) {
      const note = `reconciled: the template changed after the send (feature vectors ${job.before.featureVectors} -> ${current.featureVectors}), so the enrollment landed; not re-sent`;
      this.store.markSynced(job.id, { now: this.now(), serverJobId: job.serverJobId, performedAction: 'RECONCILED', note });
      this.lastSyncAt = new Date(this.now()).toISOString();
      this.lastResult = `job ${job.id} reconciled as synced`;
      this.emitJob(job, 'synced');
      return 'done';
    }
    const settledAt = (job.sentAt ?? 0) + (job.sendDeadlineMs ?? this.enrollDeadlineMs) + this.graceMs;
    if (this.now() < settledAt) {
      // The request may still be on its way: look again once its deadline has certainly passed.
      this.store.markAmbiguous(job.id, this.now(), settledAt, { code: 'RECONCILE_WAIT', message: 'The last send may still be in flight; checking again after its deadline.' });
      this.emitJob(job, 'ambiguous');
      return 'done';
    }
    this.store.markQueued(job.id, this.now(), { code: 'RECONCILED_NOT_LANDED', message: 'The template did not change after the last send, so it did not land; sending again.' });
    return 'resend';
  }

  private handleFailure(job: JobRecord, attempt: number, info: FailureInfo, sent: boolean): void {
    const now = this.now();
    const error = { code: info.code, message: info.message };
    // A status call that timed out sent nothing to enroll: for it, "ambiguous" is an ordinary retry.
    const kind = info.class === 'ambiguous' && !sent ? 'retryable' : info.class;
    switch (kind) {
      case 'ambiguous':
        this.store.markAmbiguous(job.id, now, now, error);
        this.emitJob(job, 'ambiguous', error);
        this.monitor?.suspect();
        return;
      case 'retryable': {
        if (info.maxAttempts !== undefined && attempt >= info.maxAttempts) {
          const final = { code: info.code, message: `${info.message} Gave up after ${attempt} attempts.` };
          this.store.markNeedsAttention(job.id, now, final, { countAttempt: !sent });
          this.emitJob(job, 'needs_attention', final);
          return;
        }
        const next = now + backoffDelay(Math.max(1, attempt), this.backoff, this.random, info.backoff ?? 'normal');
        this.store.markRetryWait(job.id, now, next, error, { countAttempt: !sent });
        this.emitJob(job, 'retry_wait', error);
        if (info.code === 'UNAVAILABLE' || info.code === 'DEADLINE_EXCEEDED') this.monitor?.suspect();
        return;
      }
      case 'permanent':
        this.store.markNeedsAttention(job.id, now, error);
        this.emitJob(job, 'needs_attention', error);
        return;
      case 'credentials':
      case 'wrong_host':
        // Refused before processing: nothing landed. The job waits in the queue; the whole queue pauses.
        this.store.markQueued(job.id, now, error);
        this.emitJob(job, 'queued', error);
        this.pause(error);
        return;
    }
  }

  private pause(reason: { code: string; message: string }, _context = ''): void {
    if (!this.pausedReason) {
      this.releaseStaged();
      this.pausedReason = reason;
      this.pausedFingerprint = this.fingerprint();
      this.lastResult = `paused: ${reason.message}`;
      this.recordPause(reason);
      this.publish();
    }
  }

  /**
   * The pause is also kept in the queue, for `station doctor` and the next run: written when the queue pauses,
   * removed when credentials change or a job syncs again. A failed write only costs that report.
   */
  private recordPause(reason: { code: string; message: string } | null): void {
    if (!reason && !this.pauseRecorded) return;
    try {
      this.store.recordSyncPause(reason, this.now());
      this.pauseRecorded = reason !== null;
    } catch {
      // the store reports its own trouble on the next write
    }
  }

  /** Whether a pause may be recorded in the queue (assumed at start: an earlier run may have left one). */
  private pauseRecorded = true;

  private reportStoreError(error: unknown): void {
    const info = toErrorInfo(error);
    // A failed write leaves its job where it was (e.g. `sending`, reconciled later); picking it again at once
    // would fail again at once, and without any await in between that loop would starve the event loop.
    // Wait for the next poll instead.
    this.storeTroubleUntil = this.now() + this.pollMs;
    this.lastResult = `${info.code}: ${info.message}`;
    this.emit('error', error instanceof StationError ? error : new StationError(info.code, info.message));
    this.publish();
  }

  private emitJob(job: JobRecord, state: JobState, error: { code: string; message: string } | null = null): void {
    // A job got through: whatever paused an earlier run is over.
    if (state === 'synced' && !this.pausedReason) this.recordPause(null);
    this.emit('job', { id: job.id, classId: job.classId, state, error });
  }

  private publish(): void {
    if (this.listenerCount('status') === 0) return;
    try {
      this.emit('status', this.status());
    } catch {
      // counts unavailable (database closed): the next change publishes again
    }
  }
}
