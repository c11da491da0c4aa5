import { z } from 'zod';
import {
  classIdInputSchema,
  classIdSchema,
  enrollRequestSchema,
  jobStateSchema,
  liveFrameSchema,
  setSettingSchema,
  type AdminStatus,
  type DoctorReport,
  type EnrollRequest,
  type EnrollResult,
  type ImageAnalysis,
  type JobState,
  type JobSummary,
  type LiveFrame,
  type LiveGuidance,
  type SettingView,
  type StationInfo,
  type SyncStatus,
} from './schemas.js';

export type { DoctorCheck, DoctorReport } from './schemas.js';

/**
 * THE station API: one contract, implemented by the preload (`window.station`, over IPC to main and on to the
 * engine process), by the engine itself (plain Node: CLI and tests) and by the browser tests' bridge.
 * Every implementation must `satisfies StationApi`. Events are plain callbacks that receive plain data:
 * no IPC event object ever reaches the renderer. Each subscription returns its unsubscribe function.
 */
export interface StationApi {
  info(): Promise<StationInfo>;
  doctor(): Promise<DoctorReport>;
  /** Full analysis of one still (camera still at full resolution, or an imported file). */
  analyzeStill(image: { name: string; bytes: Uint8Array }): Promise<ImageAnalysis>;
  /** Fast path for one raw RGBA preview frame: guidance for the next frame and a score for auto-capture. */
  analyzeFrame(frame: LiveFrame): Promise<LiveGuidance>;
  enroll(request: EnrollRequest): Promise<EnrollResult>;
  listJobs(filter?: { state?: JobState }): Promise<JobSummary[]>;
  retryJob(jobId: string | 'all'): Promise<number>;
  discardJob(jobId: string, reason: string): Promise<void>;
  syncNow(): Promise<SyncStatus>;
  syncStatus(): Promise<SyncStatus>;
  getSettings(): Promise<SettingView[]>;
  /** Secrets (the BWS key) can be set here but are never read back. */
  setSetting(name: string, value: unknown): Promise<void>;
  /** Whether an administrator PIN is set and whether the settings are open (unlocked) right now. */
  adminStatus(): Promise<AdminStatus>;
  /** Opens the settings for a few minutes; wrong PINs count towards a growing lockout. */
  unlockAdmin(pin: string): Promise<AdminStatus>;
  lockAdmin(): Promise<AdminStatus>;
  /** Sets the first PIN (currentPin '') or changes it (the current PIN is checked). */
  setAdminPin(currentPin: string, newPin: string): Promise<AdminStatus>;
  onSyncStatus(listener: (status: SyncStatus) => void): () => void;
  onJobsChanged(listener: () => void): () => void;
}

/** Request methods (not the subscriptions): the names that travel over IPC. */
export const REQUEST_METHODS = [
  'info',
  'doctor',
  'analyzeStill',
  'analyzeFrame',
  'enroll',
  'listJobs',
  'retryJob',
  'discardJob',
  'syncNow',
  'syncStatus',
  'getSettings',
  'setSetting',
  'adminStatus',
  'unlockAdmin',
  'lockAdmin',
  'setAdminPin',
] as const satisfies ReadonlyArray<keyof StationApi>;

export type RequestMethod = (typeof REQUEST_METHODS)[number];

/** Event channels pushed from the engine to the renderer. */
export const EVENT_CHANNELS = ['syncStatus', 'jobsChanged'] as const;
export type EventChannel = (typeof EVENT_CHANNELS)[number];

const pinSchema = z.string().min(1).max(64);
const imageInputSchema = z.object({ name: z.string().max(260), bytes: z.instanceof(Uint8Array).refine((b) => b.length <= 50 * 1024 * 1024, 'image larger than 50 MB') });

/**
 * Argument schemas per request method: main validates every IPC payload against these before it forwards
 * anything to the engine, and the engine validates again at its own port (defence in depth).
 */
export const REQUEST_ARGUMENT_SCHEMAS: Record<RequestMethod, z.ZodType<unknown[]>> = {
  info: z.tuple([]),
  doctor: z.tuple([]),
  analyzeStill: z.tuple([imageInputSchema]),
  analyzeFrame: z.tuple([liveFrameSchema]),
  enroll: z.tuple([enrollRequestSchema]),
  listJobs: z.union([z.tuple([]), z.tuple([z.object({ state: jobStateSchema.optional() }).strict()])]),
  retryJob: z.tuple([z.union([z.literal('all'), z.string().uuid()])]),
  discardJob: z.tuple([z.string().uuid(), z.string().min(3).max(500)]),
  syncNow: z.tuple([]),
  syncStatus: z.tuple([]),
  getSettings: z.tuple([]),
  setSetting: z.tuple([setSettingSchema.shape.name, setSettingSchema.shape.value]),
  adminStatus: z.tuple([]),
  unlockAdmin: z.tuple([pinSchema]),
  lockAdmin: z.tuple([]),
  setAdminPin: z.tuple([z.union([pinSchema, z.literal('')]), pinSchema]),
};

/**
 * Settings the station window may never change, whatever the PIN: plaintext to a remote service is for the
 * command line of the station itself (`station config set insecure true`). Main refuses them at the IPC
 * boundary and the engine refuses them again.
 */
export const SETTINGS_LOCKED_FOR_THE_WINDOW: readonly string[] = ['insecure'];

export { classIdInputSchema, classIdSchema };
