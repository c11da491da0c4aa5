import { z } from 'zod';
import { checkClassId, isCanonicalClassId } from './class-id.js';
import { UI_LOCALES } from './locale.js';

/**
 * Runtime schemas for everything that crosses a process boundary (IPC, the engine port, `--json` output).
 * TypeScript types are inferred from them, so the wire shape and the compile-time shape cannot drift.
 * This module imports nothing runtime-specific: it is shared by the renderer, preload, main and engine.
 */

/** A class id as the station stores and prints it: canonical decimal text (see `src/shared/class-id.ts`). */
export const classIdSchema = z.string().refine(isCanonicalClassId, 'class id: digits only, no leading zeros, 1 .. 9223372036854775807');

/**
 * A class id as a person or a scanner typed it: the one class-id rule (trim, digits, leading zeros dropped),
 * parsed to the canonical form. Requests use this; outputs use `classIdSchema`.
 */
export const classIdInputSchema = z.string().max(200).transform((value, context) => {
  const result = checkClassId(value);
  if (result.ok) return result.reading.classId;
  context.addIssue({ code: 'custom', message: result.error.message });
  return z.NEVER;
});

export const errorInfoSchema = z.object({ code: z.string(), message: z.string() });

export const pointSchema = z.object({ x: z.number(), y: z.number() });

/** One quality check: OFIQ-style camelCase id (or a BWS name), raw value, verdict, 0..1 score, who can fix it. */
export const qualityCheckSchema = z.object({
  check: z.string(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  pass: z.boolean(),
  score: z.number().min(0).max(1),
  message: z.string(),
  audience: z.enum(['subject', 'operator']),
  /** Record-only checks are reported but do not gate (liveness and eye state by default). */
  gating: z.boolean().default(true),
});

export const faceSchema = z.object({
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  score: z.number(),
  /** The subject's own left eye (larger x on an upright frontal face). */
  leftEye: pointSchema,
  rightEye: pointSchema,
  pose: z.object({ yaw: z.number(), pitch: z.number(), roll: z.number(), pitchRaw: z.number().optional() }),
  liveness: z.number().nullable(),
  eyesOpen: z.number().nullable(),
});

export const imageAnalysisSchema = z.object({
  file: z.string(),
  ok: z.boolean(),
  error: errorInfoSchema.optional(),
  width: z.number().int(),
  height: z.number().int(),
  faces: z.array(faceSchema),
  primary: z.number().int().nullable(),
  assessments: z.array(qualityCheckSchema),
  accepted: z.boolean(),
  profile: z.enum(['enrollment', 'icao']).optional(),
  embedding: z.array(z.number()).optional(),
});

export const analyzeOutputSchema = z.object({ results: z.array(imageAnalysisSchema) });

/** Live guidance for the next camera frame. */
export const liveGuidanceSchema = z.object({
  faceFound: z.boolean(),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  /** 0..1: how good this frame is as an enrollment shot (ranks auto-capture candidates). */
  frameScore: z.number(),
  /** True when the frame passes the live envelope and could be captured. */
  ready: z.boolean(),
  /** Prompts, most important first. */
  /** `code` names the prompt's variant (e.g. turnLeft, comeCloser, tooDark) so the UI can word it per language. */
  prompts: z.array(z.object({ check: z.string(), code: z.string().optional(), message: z.string(), audience: z.enum(['subject', 'operator']) })),
  pose: z.object({ yaw: z.number(), pitch: z.number(), roll: z.number() }).nullable(),
  /**
   * The oval the preview draws (frame pixels): where the live gate accepts the face, nearest to where it is (around
   * it when its position and size pass), or the ideal placement when there is no face.
   */
  target: z.object({ cx: z.number(), cy: z.number(), rx: z.number(), ry: z.number() }).optional(),
  elapsedMs: z.number(),
});

/** A raw RGBA camera frame (no JPEG round trip), at most 640x480. */
export const liveFrameSchema = z.object({
  width: z.number().int().min(16).max(640),
  height: z.number().int().min(16).max(480),
  data: z.instanceof(Uint8Array),
}).refine((frame) => frame.data.length === frame.width * frame.height * 4, 'frame data must be width*height*4 RGBA bytes');

export const JOB_STATES = ['queued', 'sending', 'retry_wait', 'ambiguous', 'reconciling', 'synced', 'needs_attention', 'paused', 'discarded'] as const;
export const jobStateSchema = z.enum(JOB_STATES);

export const jobSummarySchema = z.object({
  id: z.string(),
  classId: classIdSchema,
  state: jobStateSchema,
  attempts: z.number().int(),
  imageCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  nextAttemptAt: z.string().nullable(),
  lastError: errorInfoSchema.nullable(),
  serverJobId: z.string().nullable(),
  performedAction: z.string().nullable(),
  note: z.string().nullable(),
  /** More images for a class id this station had already synced when the job was queued: BWS adds them to the template. */
  update: z.boolean().optional(),
});

export const queueOutputSchema = z.object({ jobs: z.array(jobSummarySchema) });

export const connectivitySchema = z.enum(['online', 'offline', 'degraded', 'unconfigured']);

export const syncStatusSchema = z.object({
  connectivity: connectivitySchema,
  running: z.boolean(),
  paused: z.object({ code: z.string(), message: z.string() }).nullable(),
  counts: z.record(z.string(), z.number().int()),
  lastSyncAt: z.string().nullable(),
  lastResult: z.string().nullable(),
  /** True while the station sends to its built-in test service instead of a real BWS endpoint. */
  testService: z.boolean().optional(),
});

export const enrollRequestSchema = z.object({
  classId: classIdInputSchema,
  /** Encoded image files (JPEG/PNG/...) or captured stills. */
  images: z.array(z.object({ name: z.string().max(260), bytes: z.instanceof(Uint8Array) })).min(1).max(20),
  force: z.boolean().default(false),
  /** The administrator PIN that authorises `force` from the app (a supervisor override); never stored. */
  adminPin: z.string().max(64).optional(),
});

export const enrollResultSchema = z.object({
  jobId: z.string().nullable(),
  classId: classIdSchema,
  queued: z.boolean(),
  accepted: z.array(z.object({ name: z.string(), warnings: z.array(z.string()) })),
  rejected: z.array(z.object({ name: z.string(), reasons: z.array(z.string()) })),
  refusal: errorInfoSchema.nullable(),
  /** Another class id on this station whose face matches (the reason for a DUPLICATE_FACE refusal). */
  similarTo: z.object({ classId: classIdSchema, similarity: z.number() }).nullable().optional(),
  /** The class id was already synced from this station: the job updates its template instead of creating one. */
  update: z.boolean().optional(),
});

export const settingViewSchema = z.object({
  name: z.string(),
  value: z.unknown(),
  secret: z.boolean(),
  isSet: z.boolean(),
  help: z.string(),
  /** Set and locked by the administrator's site file: the UI shows it read-only; changing it is refused. */
  locked: z.boolean().optional(),
  /** Where the value comes from: the site file (locked or not), this station's settings, or the default. */
  source: z.enum(['site-locked', 'settings', 'site', 'default']).optional(),
});

export const setSettingSchema = z.object({ name: z.string().min(1).max(64), value: z.unknown() });

/** The administrator PIN as the UI may know it: whether one is set, whether settings are open, any lockout. */
export const adminStatusSchema = z.object({
  pinSet: z.boolean(),
  unlocked: z.boolean(),
  lockedUntil: z.string().nullable(),
  /** Seconds until the next PIN may be tried (0: now), counted by the engine's clock, so the UI needs none. */
  retryAfterSeconds: z.number().int().min(0),
  /** Wrong PINs still allowed before a waiting time starts. */
  triesLeft: z.number().int().min(0),
});

/** One row of `station doctor`: a failing row carries the station's error code, and its detail says what to do. */
export const doctorCheckSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string(), code: z.string().optional() });
export const doctorReportSchema = z.object({ ok: z.boolean(), checks: z.array(doctorCheckSchema) });

export const stationInfoSchema = z.object({
  version: z.string(),
  dataDir: z.string(),
  keyMode: z.enum(['keystore', 'headless']).nullable(),
  /** The operator UI's language: the `language` setting, else the OS's preferred languages, else English. */
  locale: z.enum(UI_LOCALES),
  /** The OS's preferred languages as the shell reported them (BCP 47 tags, most preferred first). */
  systemLocales: z.array(z.string()),
});

export type ErrorInfoDto = z.infer<typeof errorInfoSchema>;
export type QualityCheck = z.infer<typeof qualityCheckSchema>;
export type FaceDto = z.infer<typeof faceSchema>;
export type ImageAnalysis = z.infer<typeof imageAnalysisSchema>;
export type LiveGuidance = z.infer<typeof liveGuidanceSchema>;
export type LiveFrame = z.infer<typeof liveFrameSchema>;
export type JobState = z.infer<typeof jobStateSchema>;
export type JobSummary = z.infer<typeof jobSummarySchema>;
export type Connectivity = z.infer<typeof connectivitySchema>;
export type SyncStatus = z.infer<typeof syncStatusSchema>;
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;
export type EnrollResult = z.infer<typeof enrollResultSchema>;
export type SettingView = z.infer<typeof settingViewSchema>;
export type DoctorCheck = z.infer<typeof doctorCheckSchema>;
export type DoctorReport = z.infer<typeof doctorReportSchema>;
export type StationInfo = z.infer<typeof stationInfoSchema>;
export type AdminStatus = z.infer<typeof adminStatusSchema>;
