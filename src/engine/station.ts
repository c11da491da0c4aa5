import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parseClassId } from '../shared/class-id.js';
import { type ErrorInfo, StationError, toErrorInfo } from '../shared/errors.js';
import { matchUiLocale } from '../shared/locale.js';
import { SETTINGS_LOCKED_FOR_THE_WINDOW, type StationApi } from '../shared/contract.js';
import type {
  AdminStatus,
  DoctorReport,
  EnrollRequest,
  EnrollResult,
  ImageAnalysis,
  JobState,
  JobSummary,
  LiveFrame,
  LiveGuidance,
  SettingView,
  StationInfo,
  SyncStatus,
} from '../shared/schemas.js';
import { clientOptionsFrom, resolveBwsConfig } from './bws/config.js';
import { parseEndpoint } from './bws/endpoint.js';
import { openLog, type RotatingLog } from './logs.js';
import { type GalleryEntry, prepareEnrollment, type PreparedEnrollment, type SourceImage } from './enrollment/prepare.js';
import { AdminPin, DEFAULT_SCRYPT } from './store/admin-pin.js';
import { readFolderInfo } from './store/folder-info.js';
import type { KeyProvider } from './store/keys.js';
import { QueueStore } from './store/queue-store.js';
import { isSettingName } from './store/settings.js';
import { SyncEngine } from './sync/engine.js';
import { SyncLock } from './sync/lock.js';
import type { SyncTransport } from './sync/transport.js';
import { stationVersion } from './version.js';
import { createVisionEngine, startModelsEarly } from './vision/index.js';
import type { VisionEngine } from './vision/types.js';

export interface StationOptions {
  dataDir: string;
  keyProvider: KeyProvider;
  env?: NodeJS.ProcessEnv;
  /** Create the data folder and queue when missing (default true). */
  create?: boolean;
  /** Start an empty queue although the folder had one whose queue.db is missing (an operator's explicit choice). */
  newQueue?: boolean;
  /** Injected for tests; by default the ONNX pipeline is created on first use. */
  visionFactory?: () => Promise<VisionEngine>;
  /** The OS's preferred UI languages (the app passes Electron's list; by default the process's own locale). */
  systemLocales?: readonly string[];
  /** Tests: a clock for the PIN lockout and cheaper scrypt parameters. */
  adminPin?: { now?: () => number; scrypt?: { N: number; r: number; p: number } };
}

export interface SyncStartOptions {
  /** Sync to the embedded BWS-compatible service (started in this process) instead of the configured endpoint. */
  local?: boolean;
  /** Wait this long for another syncer of the same folder to finish (default: fail at once). */
  lockWaitMs?: number;
  /** Shown to a second syncer. */
  purpose?: string;
}

/** A running embedded local service (see bws-local/embedded). */
interface EmbeddedService {
  endpoint: string;
  clientId: string;
  key: string;
  close(): Promise<void>;
}

type StationEvents = { syncStatus: [SyncStatus]; jobsChanged: [] };

/**
 * The engine facade: one object that owns the vision engine, the encrypted queue and the sync engine of a
 * data folder, and implements the station contract. The Electron engine process serves it over its port;
 * the CLI calls it directly. Nothing here knows about windows or IPC.
 */
export class Station implements StationApi {
  private visionPromise: Promise<VisionEngine> | null = null;
  private sync: SyncEngine | null = null;
  private lock: SyncLock | null = null;
  private embedded: EmbeddedService | null = null;
  /** Why background sync is not running although configured (e.g. another process holds the sync lock). */
  private backgroundProblem: ErrorInfo | null = null;
  private lockRetry: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly events = new EventEmitter<StationEvents>();
  /** logs/engine.log in the data folder: operational facts only (job ids, states, codes), never class ids. */
  readonly log: RotatingLog;
  private lastLoggedStatus = '';
  /** True while the running sync sends to the embedded test service rather than the configured endpoint. */
  private syncingToTestService = false;
  readonly admin: AdminPin;

  private constructor(
    readonly dataDir: string,
    readonly store: QueueStore,
    private readonly keyProvider: KeyProvider,
    private readonly env: NodeJS.ProcessEnv,
    private readonly visionFactory: () => Promise<VisionEngine>,
    private readonly systemLocales: readonly string[],
    adminOptions: StationOptions['adminPin'] = {},
  ) {
    this.log = openLog(dataDir, 'engine');
    this.log.info(`station ${stationVersion()} opened the data folder (Node ${process.versions.node}, ${process.platform}-${process.arch})`);
    this.admin = new AdminPin(store.settings, store.audit, adminOptions.now ?? Date.now, adminOptions.scrypt ?? DEFAULT_SCRYPT);
  }

  static async open(options: StationOptions): Promise<Station> {
    const store = await QueueStore.open({ dataDir: options.dataDir, keyProvider: options.keyProvider, create: options.create ?? true, newQueue: options.newQueue ?? false });
    return new Station(options.dataDir, store, options.keyProvider, options.env ?? process.env, options.visionFactory ?? (() => createVisionEngine()), options.systemLocales ?? [Intl.DateTimeFormat().resolvedOptions().locale], options.adminPin);
  }

  /** The ONNX pipeline, created once per process on first use (loading takes a few hundred ms). */
  vision(): Promise<VisionEngine> {
    this.visionPromise ??= this.visionFactory();
    return this.visionPromise;
  }

  // ------------------------------------------------------------------ enrollment

  /**
   * Analyses, checks and prepares the images; queues the job unless something refuses it. A batch passes one
   * `gallery` (from `store.galleryEmbeddings()`) to every call: it is read once, and each queued job's
   * embeddings are added to it, so the duplicate check sees earlier classes of the batch without re-reading.
   */
  async enrollImages(classIdText: string, images: SourceImage[], options: { force?: boolean; note?: string; gallery?: GalleryEntry[] } = {}): Promise<EnrollResult & { prepared: PreparedEnrollment }> {
    const classId = parseClassId(classIdText);
    const settings = this.store.settings;
    const prepared = await prepareEnrollment({
      vision: await this.vision(),
      classId,
      images,
      gallery: options.gallery ?? this.store.galleryEmbeddings(),
      matchThreshold: settings.get('matchThreshold'),
      profile: settings.get('qualityProfile'),
      force: options.force ?? false,
    });
    let jobId: string | null = null;
    if (!prepared.refusal) {
      jobId = this.store.enqueue({
        classId,
        images: prepared.accepted.map((image) => ({ name: image.name, bytes: image.png, sourceSha256: image.sourceSha256, analysis: image.summary })),
        embeddings: prepared.accepted.map((image) => image.embedding),
        note: prepared.warnings.length > 0 ? prepared.warnings.join(' ') : null,
      });
      for (const image of prepared.accepted) options.gallery?.push({ jobId, classId, synced: false, embedding: image.embedding });
      this.events.emit('jobsChanged');
      this.sync?.wake();
    }
    this.log.info(jobId ? `job ${jobId} queued: ${prepared.accepted.length} image(s) accepted, ${prepared.rejected.length} rejected` : `enrollment not queued: ${prepared.refusal?.code ?? 'no acceptable image'}`);
    return {
      jobId,
      classId,
      queued: jobId !== null,
      accepted: prepared.accepted.map((image) => ({ name: image.name, warnings: image.warnings })),
      rejected: prepared.rejected,
      refusal: prepared.refusal,
      similarTo: prepared.similarTo,
      update: this.store.classSynced(classId),
      prepared,
    };
  }

  // ------------------------------------------------------------------ sync

  /** Takes the one-syncer lock and starts the sync engine (to the configured endpoint, or the local service). */
  async startSync(options: SyncStartOptions = {}): Promise<SyncEngine> {
    if (this.sync) return this.sync;
    this.lock = await SyncLock.acquire(this.dataDir, { purpose: options.purpose ?? 'station sync', waitMs: options.lockWaitMs ?? 0 });
    try {
      // The gRPC client (grpc-js, the BWS messages) loads when a sync starts, not with the station: a station
      // that only analyses or queues (offline, nothing configured) starts without it.
      const { BwsTransport } = await import('./sync/bws-transport.js');
      let connect: () => SyncTransport | null;
      let fingerprint: (() => string) | undefined;
      if (options.local) {
        const service = await this.startEmbedded();
        connect = () => BwsTransport.fromOptions({ endpoint: service.endpoint, clientId: service.clientId, key: service.key });
        fingerprint = () => service.endpoint;
      } else {
        connect = () => {
          const config = resolveBwsConfig({ settings: this.store.settings, env: this.env });
          return config.missing.length > 0 ? null : BwsTransport.fromOptions(clientOptionsFrom(config));
        };
        fingerprint = () => {
          const config = resolveBwsConfig({ settings: this.store.settings, env: this.env });
          return createHash('sha256').update(JSON.stringify([config.endpoint, config.clientId, config.key, config.caFile, config.insecure])).digest('hex');
        };
      }
      const sync = new SyncEngine({ store: this.store, connect, credentialsFingerprint: fingerprint });
      this.syncingToTestService = options.local === true;
      sync.on('status', (status) => {
        this.logStatus(status);
        this.events.emit('syncStatus', { ...status, testService: this.syncingToTestService });
      });
      sync.on('job', (change) => {
        this.log.info(`job ${change.id} -> ${change.state}${change.error ? ` [${change.error.code}]` : ''}`);
        this.events.emit('jobsChanged');
      });
      this.sync = sync;
      await sync.start();
      return sync;
    } catch (error) {
      await this.stopSync();
      throw error;
    }
  }

  /**
   * The app's background sync: starts when BWS is configured, and stays off (with the reason in the status)
   * when it is not, or when another process already syncs this folder.
   */
  async startBackgroundSync(): Promise<void> {
    this.lockRetry = null;
    if (this.sync || this.closed) return;
    // The built-in test service is an explicit choice (a setting), never a silent fallback.
    const testService = this.store.settings.get('testService');
    const config = resolveBwsConfig({ settings: this.store.settings, env: this.env });
    if (!testService && config.missing.length > 0) {
      this.backgroundProblem = null;
    } else {
      try {
        await this.startSync({ purpose: 'Enrollment Station app', local: testService });
        this.backgroundProblem = null;
      } catch (error) {
        this.backgroundProblem = toErrorInfo(error);
        // Another process (e.g. `station sync --watch`) holds the folder's sync lock: try again later, so
        // the app takes over as soon as that process ends.
        if (this.backgroundProblem.code === 'SYNC_LOCKED' && !this.closed) {
          this.lockRetry = setTimeout(() => void this.startBackgroundSync(), Station.LOCK_RETRY_MS);
          this.lockRetry.unref();
        }
      }
    }
    this.events.emit('syncStatus', await this.syncStatus());
  }

  /** How often the app tries again for a sync lock held by another process. */
  static LOCK_RETRY_MS = 30_000;

  get syncEngine(): SyncEngine | null {
    return this.sync;
  }

  /** Stops sending (in-flight sends finish and are recorded), releases the lock and the local service. */
  async stopSync(): Promise<void> {
    const sync = this.sync;
    this.sync = null;
    this.syncingToTestService = false;
    if (sync) await sync.stop();
    if (this.embedded) {
      await this.embedded.close();
      this.embedded = null;
    }
    this.lock?.release();
    this.lock = null;
  }

  /** Starts the embedded BWS-compatible service of this data folder (credentials created on first use). */
  async startEmbedded(): Promise<EmbeddedService> {
    if (this.embedded) return this.embedded;
    // The local service keeps its own databases under keys derived from (never equal to) the queue key.
    const queueKey = await this.keyProvider.obtainKey(this.dataDir);
    // Loaded on first use: the test service (a gRPC server with its own store) is off at most sites.
    const { localServiceKey, startEmbeddedLocalBws } = await import('./bws-local/embedded.js');
    this.embedded = await startEmbeddedLocalBws(this.dataDir, localServiceKey(queueKey), { vision: await this.vision() });
    return this.embedded;
  }

  // ------------------------------------------------------------------ StationApi

  async info(): Promise<StationInfo> {
    return {
      version: stationVersion(),
      dataDir: this.dataDir,
      keyMode: readFolderInfo(this.dataDir)?.keyMode ?? null,
      locale: matchUiLocale(this.store.settings.get('language'), this.systemLocales),
      systemLocales: [...this.systemLocales],
    };
  }

  async doctor(): Promise<DoctorReport> {
    const { runDoctor } = await import('./doctor.js');
    return runDoctor({ dataDir: this.dataDir, keyProvider: this.keyProvider, env: this.env, network: true });
  }

  async analyzeStill(image: { name: string; bytes: Uint8Array }): Promise<ImageAnalysis> {
    const analysis = await (await this.vision()).analyzeStill(image.bytes, { name: image.name, profile: this.store.settings.get('qualityProfile'), embedding: false });
    // Only plain, non-biometric data crosses to the UI: no embedding.
    const { embeddingVector: _vector, embedding: _embedding, ...plain } = analysis;
    return plain;
  }

  async analyzeFrame(frame: LiveFrame): Promise<LiveGuidance> {
    return (await this.vision()).analyzeFrame(frame);
  }

  async enroll(request: EnrollRequest): Promise<EnrollResult> {
    // The app's supervisor override (accept a refused duplicate face) needs the administrator PIN or an open
    // administrator session: the window must not be able to override on its own. The command line's --force
    // goes through enrollImages, for people who already hold the data folder's key.
    if (request.force) await this.authoriseOverride(request.adminPin);
    const { prepared: _prepared, ...result } = await this.enrollImages(request.classId, request.images, { force: request.force });
    return result;
  }

  private async authoriseOverride(pin: string | undefined): Promise<void> {
    if (pin !== undefined && this.admin.pinSet) await this.admin.verify(pin, 'override an enrollment refusal');
    else this.admin.requireUnlocked('override an enrollment refusal');
    this.store.audit.append('enroll_override', null, {});
  }

  async listJobs(filter: { state?: JobState } = {}): Promise<JobSummary[]> {
    return this.store.listJobs(filter.state ? { state: filter.state } : {});
  }

  async retryJob(jobId: string | 'all'): Promise<number> {
    const count = this.store.retry(jobId);
    this.events.emit('jobsChanged');
    this.sync?.wake();
    return count;
  }

  async discardJob(jobId: string, reason: string): Promise<void> {
    this.store.discard(jobId, reason);
    this.events.emit('jobsChanged');
  }

  async syncNow(): Promise<SyncStatus> {
    if (!this.sync) await this.startSync({ purpose: 'Enrollment Station', local: this.store.settings.get('testService') });
    return { ...(await (this.sync as SyncEngine).syncNow()), testService: this.syncingToTestService };
  }

  async syncStatus(): Promise<SyncStatus> {
    if (this.sync) return { ...this.sync.status(), testService: this.syncingToTestService };
    const configured = resolveBwsConfig({ settings: this.store.settings, env: this.env }).missing.length === 0;
    return {
      connectivity: configured ? 'offline' : 'unconfigured',
      running: false,
      paused: this.backgroundProblem,
      counts: this.store.counts(),
      lastSyncAt: null,
      lastResult: null,
    };
  }

  async getSettings(): Promise<SettingView[]> {
    return this.store.settings.describe();
  }

  async setSetting(name: string, value: unknown): Promise<void> {
    if (!isSettingName(name)) throw new StationError('USAGE', `Unknown setting "${name}".`);
    if (SETTINGS_LOCKED_FOR_THE_WINDOW.includes(name)) {
      this.store.audit.append('setting_refused', null, { name });
      throw new StationError('SETTING_LOCKED', `${name} cannot be changed from the app; use \`station config set ${name}\` on the station itself.`);
    }
    this.admin.requireUnlocked('change settings');
    // What can never be an endpoint is refused before it is stored (plaintext is judged at use, with `insecure`).
    if (name === 'endpoint' && typeof value === 'string' && value.trim() !== '') parseEndpoint(value, { insecure: true });
    this.store.settings.set(name, value);
    this.store.audit.append('setting_changed', null, { name });
    this.log.info(`setting ${name} changed`);
    if (name === 'testService') {
      // Switching between the test service and a real endpoint: a new sync to the new target. Nothing the
      // test service holds (its templates live in its own database) is ever sent to the real endpoint.
      await this.stopSync();
      await this.startBackgroundSync();
    } else if (['endpoint', 'clientId', 'key', 'caFile', 'insecure'].includes(name) && !this.syncingToTestService) {
      if (this.sync) await this.sync.credentialsChanged();
      else await this.startBackgroundSync();
      this.events.emit('syncStatus', await this.syncStatus());
    }
  }

  async adminStatus(): Promise<AdminStatus> {
    return this.admin.status();
  }

  async unlockAdmin(pin: string): Promise<AdminStatus> {
    return this.admin.unlock(pin);
  }

  async lockAdmin(): Promise<AdminStatus> {
    return this.admin.lockNow();
  }

  async setAdminPin(currentPin: string, newPin: string): Promise<AdminStatus> {
    return this.admin.change(currentPin, newPin);
  }

  onSyncStatus(listener: (status: SyncStatus) => void): () => void {
    this.events.on('syncStatus', listener);
    return () => this.events.off('syncStatus', listener);
  }

  onJobsChanged(listener: () => void): () => void {
    this.events.on('jobsChanged', listener);
    return () => this.events.off('jobsChanged', listener);
  }

  /** Logs connectivity and pause changes (not every count update). */
  private logStatus(status: SyncStatus): void {
    const summary = `sync ${status.connectivity}${status.paused ? `, paused [${status.paused.code}]` : ''}`;
    if (summary === this.lastLoggedStatus) return;
    this.lastLoggedStatus = summary;
    this.log.write(status.paused ? 'warn' : 'info', summary);
  }

  async close(): Promise<void> {
    if (!this.closed) this.log.info('station closed');
    this.closed = true;
    if (this.lockRetry) clearTimeout(this.lockRetry);
    try {
      await this.stopSync();
      // A vision engine that failed to start has nothing to close (its error was reported where it was used).
      const vision = await this.visionPromise?.catch(() => null);
      await vision?.close();
    } finally {
      this.store.close();
    }
  }
}

/**
 * The engine process's entry point into the engine (see src/engine/host). The models start loading before
 * the data folder is opened (the UI needs them first), unless the caller brings its own vision engine.
 */
export function createStation(options: StationOptions): Promise<Station> {
  if (!options.visionFactory) startModelsEarly();
  return Station.open(options);
}
