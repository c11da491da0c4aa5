import { randomUUID } from 'node:crypto';
import type { StationApi } from '../../src/shared/contract.js';
import { StationError } from '../../src/shared/errors.js';
import type { JobState, JobSummary, LiveFrame, LiveGuidance, SettingView, SyncStatus } from '../../src/shared/schemas.js';

/**
 * A small, real (in-memory) StationApi for the shell and RPC tests: it keeps jobs and settings, computes
 * live guidance from the frame's actual pixels (mean brightness and where the bright mass is), and records
 * every call so tests can prove what reached "the engine" and what did not.
 */
export class MemoryStation implements StationApi {
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  readonly jobs: JobSummary[] = [];
  readonly settings = new Map<string, unknown>([
    ['endpoint', ''],
    ['clientId', ''],
  ]);
  private secretSet = false;
  private readonly syncListeners = new Set<(status: SyncStatus) => void>();
  private readonly jobListeners = new Set<() => void>();

  constructor(private readonly dataDir = '/tmp/memory-station') {}

  private note(method: string, args: unknown[]) {
    this.calls.push({ method, args });
  }

  addJob(classId: string, state: JobState, lastError: JobSummary['lastError'] = null): JobSummary {
    const now = new Date().toISOString();
    const job: JobSummary = { id: randomUUID(), classId, state, attempts: state === 'queued' ? 0 : 2, imageCount: 3, createdAt: now, updatedAt: now, nextAttemptAt: null, lastError, serverJobId: null, performedAction: null, note: null };
    this.jobs.push(job);
    this.jobListeners.forEach((listener) => listener());
    return job;
  }

  async info() {
    this.note('info', []);
    return { version: '0.0.0-test', dataDir: this.dataDir, keyMode: 'headless' as const, locale: 'en' as const, systemLocales: ['en-US'] };
  }

  async doctor() {
    this.note('doctor', []);
    return { ok: true, checks: [{ name: 'memory station', ok: true, detail: `${this.jobs.length} job(s) in memory` }, { name: 'BWS endpoint', ok: true, detail: this.settings.get('endpoint') ? String(this.settings.get('endpoint')) : 'not configured' }] };
  }

  async analyzeStill(image: { name: string; bytes: Uint8Array }) {
    this.note('analyzeStill', [image]);
    const isJpeg = image.bytes[0] === 0xff && image.bytes[1] === 0xd8;
    return {
      file: image.name,
      ok: isJpeg,
      width: 0,
      height: 0,
      faces: [],
      primary: null,
      assessments: [{ check: 'format', value: isJpeg ? 'jpeg' : 'unknown', pass: isJpeg, score: isJpeg ? 1 : 0, message: isJpeg ? 'JPEG still' : 'Not a JPEG', audience: 'operator' as const, gating: true }],
      accepted: isJpeg,
    };
  }

  async analyzeFrame(frame: LiveFrame): Promise<LiveGuidance> {
    this.note('analyzeFrame', [{ width: frame.width, height: frame.height, bytes: frame.data.length }]);
    let sum = 0;
    let weightedX = 0;
    for (let i = 0; i < frame.data.length; i += 4) {
      const luma = 0.299 * frame.data[i]! + 0.587 * frame.data[i + 1]! + 0.114 * frame.data[i + 2]!;
      sum += luma;
      weightedX += luma * ((i / 4) % frame.width);
    }
    const pixels = frame.width * frame.height;
    const mean = sum / pixels;
    const centreX = sum > 0 ? weightedX / sum / frame.width : 0.5;
    const prompts: LiveGuidance['prompts'] = [];
    if (mean < 40) prompts.push({ check: 'exposure', message: `Too dark (mean brightness ${mean.toFixed(0)}): add light.`, audience: 'operator' });
    else if (mean > 215) prompts.push({ check: 'exposure', message: `Too bright (mean brightness ${mean.toFixed(0)}).`, audience: 'operator' });
    else prompts.push({ check: 'faceDetected', message: `No face found (frame ${frame.width}x${frame.height}, brightness ${mean.toFixed(0)}, centre ${(centreX * 100).toFixed(0)}%).`, audience: 'subject' });
    return { faceFound: false, box: null, frameScore: 0, ready: false, prompts, pose: null, elapsedMs: 0 };
  }

  async enroll(request: { classId: string; images: Array<{ name: string; bytes: Uint8Array }>; force: boolean }) {
    this.note('enroll', [request]);
    const job = this.addJob(request.classId, 'queued');
    return { jobId: job.id, classId: request.classId, queued: true, accepted: request.images.map((image) => ({ name: image.name, warnings: [] })), rejected: [], refusal: null };
  }

  async listJobs(filter?: { state?: JobState }) {
    this.note('listJobs', filter ? [filter] : []);
    return this.jobs.filter((job) => !filter?.state || job.state === filter.state);
  }

  async retryJob(jobId: string) {
    this.note('retryJob', [jobId]);
    const targets = this.jobs.filter((job) => (jobId === 'all' || job.id === jobId) && ['retry_wait', 'needs_attention', 'paused'].includes(job.state));
    if (jobId !== 'all' && targets.length === 0 && !this.jobs.some((job) => job.id === jobId)) throw new StationError('JOB_NOT_FOUND', `No job ${jobId} in the queue.`);
    for (const job of targets) Object.assign(job, { state: 'queued', updatedAt: new Date().toISOString() });
    if (targets.length > 0) this.jobListeners.forEach((listener) => listener());
    return targets.length;
  }

  async discardJob(jobId: string, reason: string) {
    this.note('discardJob', [jobId, reason]);
    const job = this.jobs.find((entry) => entry.id === jobId);
    if (!job) throw new StationError('JOB_NOT_FOUND', `No job ${jobId} in the queue.`);
    Object.assign(job, { state: 'discarded', note: reason, updatedAt: new Date().toISOString() });
    this.jobListeners.forEach((listener) => listener());
  }

  private status(): SyncStatus {
    const counts: Record<string, number> = {};
    for (const job of this.jobs) counts[job.state] = (counts[job.state] ?? 0) + 1;
    return { connectivity: this.settings.get('endpoint') ? 'offline' : 'unconfigured', running: false, paused: null, counts, lastSyncAt: null, lastResult: null };
  }

  async syncNow(): Promise<SyncStatus> {
    this.note('syncNow', []);
    const status = { ...this.status(), lastResult: 'nothing sent: no endpoint answers in the test' };
    this.syncListeners.forEach((listener) => listener(status));
    return status;
  }

  async syncStatus() {
    this.note('syncStatus', []);
    return this.status();
  }

  async getSettings(): Promise<SettingView[]> {
    this.note('getSettings', []);
    return [
      ...[...this.settings].map(([name, value]) => ({ name, value, secret: false, isSet: value !== '', help: name })),
      { name: 'key', value: this.secretSet ? '(set)' : '(not set)', secret: true, isSet: this.secretSet, help: 'BWS client key' },
    ];
  }

  async setSetting(name: string, value: unknown) {
    this.note('setSetting', [name, name === 'key' ? '(secret)' : value]);
    if (name === 'key') this.secretSet = typeof value === 'string' && value !== '';
    else if (this.settings.has(name)) this.settings.set(name, value);
    else throw new StationError('USAGE', `Unknown setting ${name}.`);
    this.syncListeners.forEach((listener) => listener(this.status()));
  }

  async adminStatus() {
    this.note('adminStatus', []);
    return { pinSet: false, unlocked: true, lockedUntil: null, retryAfterSeconds: 0, triesLeft: 5 };
  }

  async unlockAdmin(_pin: string) {
    this.note('unlockAdmin', ['(pin)']);
    return { pinSet: false, unlocked: true, lockedUntil: null, retryAfterSeconds: 0, triesLeft: 5 };
  }

  async lockAdmin() {
    this.note('lockAdmin', []);
    return { pinSet: false, unlocked: true, lockedUntil: null, retryAfterSeconds: 0, triesLeft: 5 };
  }

  async setAdminPin(_current: string, _next: string) {
    this.note('setAdminPin', ['(pin)', '(pin)']);
    return { pinSet: true, unlocked: true, lockedUntil: null, retryAfterSeconds: 0, triesLeft: 5 };
  }

  onSyncStatus(listener: (status: SyncStatus) => void) {
    this.syncListeners.add(listener);
    return () => {
      this.syncListeners.delete(listener);
    };
  }

  onJobsChanged(listener: () => void) {
    this.jobListeners.add(listener);
    return () => {
      this.jobListeners.delete(listener);
    };
  }

  emitSyncStatus() {
    const status = this.status();
    this.syncListeners.forEach((listener) => listener(status));
    return status;
  }
}
