import { z } from 'zod';
import {
  JOB_STATES,
  analyzeOutputSchema,
  classIdSchema,
  connectivitySchema,
  doctorReportSchema,
  enrollResultSchema,
  errorInfoSchema,
  queueOutputSchema,
} from './schemas.js';

/**
 * The JSON documents `station --json` prints, one per command: each command builds its document through the
 * schema here (parsed before printing), so a shape that drifts from this module fails loudly instead of
 * reaching scripts. Keys are camelCase everywhere; job state names (`retry_wait`, `needs_attention`) are
 * data, used as keys only where a document counts jobs per state. The README documents each one.
 */

/** Jobs per state: every state of the queue, 0 when none. */
export const jobCountsSchema = z.object(Object.fromEntries(JOB_STATES.map((state) => [state, z.number().int().min(0)])) as Record<(typeof JOB_STATES)[number], z.ZodNumber>).strict();

/**
 * Jobs that wait for a later time: `sendDeadline` (an earlier send may still be on the wire after a crash or a
 * lost answer; the job is reconciled once that send's deadline has passed) or `retry` (a backoff after a failure).
 */
export const syncWaitSchema = z.object({
  reason: z.enum(['sendDeadline', 'retry']),
  jobs: z.number().int().min(1),
  /** When the first of them is due (ISO time). */
  nextAt: z.string(),
  inSeconds: z.number().int().min(0),
}).strict();

/** `station sync --json` */
export const syncDocumentSchema = z.object({
  /** Jobs that reached `synced` during this run. */
  syncedNow: z.number().int().min(0),
  /** null when there is no queue yet (nothing was started). */
  connectivity: connectivitySchema.nullable(),
  paused: errorInfoSchema.nullable(),
  counts: jobCountsSchema,
  waiting: z.array(syncWaitSchema),
}).strict();

/** Any failure, of any command (usage errors included): exit code 1, 2 or 3 says which kind. */
export const errorDocumentSchema = z.object({ error: errorInfoSchema });

/** `station analyze --json` */
export const analyzeDocumentSchema = analyzeOutputSchema;

/** `station enroll --json` */
export const enrollDocumentSchema = enrollResultSchema;

/** `station import --json`: one vocabulary with the progress bar and the summary (see the import command). */
export const importClassSchema = z.object({
  classId: classIdSchema,
  result: z.enum(['queued', 'skipped', 'rejected']),
  jobId: z.string().nullable(),
  files: z.number().int().min(0),
  accepted: z.number().int().min(0),
  skipped: z.number().int().min(0),
  rejected: z.array(z.object({ file: z.string(), reasons: z.array(z.string()) })),
  /** Why nothing was queued for the class (rejected), or null. */
  reason: z.string().nullable(),
  /** Set when the class id was written with leading zeros, or in several forms: "0042, 42 -> class 42 (one class)". */
  classIdNote: z.string().nullable(),
});
export const importDocumentSchema = z.object({
  source: z.string(),
  classes: z.array(importClassSchema),
  /** Entries that cannot become an enrollment at all ("not imported"). */
  problems: z.array(z.object({ source: z.string(), code: z.string(), message: z.string() })),
  totals: z.object({
    queued: z.number().int().min(0),
    skipped: z.number().int().min(0),
    rejected: z.number().int().min(0),
    imagesAccepted: z.number().int().min(0),
    imagesSkipped: z.number().int().min(0),
    imagesRejected: z.number().int().min(0),
    problems: z.number().int().min(0),
  }),
});

/** `station queue --json` */
export const queueDocumentSchema = queueOutputSchema;
/** `station retry --json`: how many jobs were put back in the queue. */
export const retryDocumentSchema = z.object({ retried: z.number().int().min(0) });
/** `station discard --json`: the full id of the discarded job. */
export const discardDocumentSchema = z.object({ discarded: z.string() });
/** `station purge --json` */
export const purgeDocumentSchema = z.object({ purged: z.object({ embeddings: z.number().int().min(0), jobs: z.number().int().min(0) }) });

/** `station doctor --json` */
export const doctorDocumentSchema = doctorReportSchema;

/** `station config get --json`: setting names as typed on the command line (`client-id`); secrets masked. */
export const configGetDocumentSchema = z.object({
  settings: z.array(z.object({
    name: z.string(),
    value: z.unknown(),
    source: z.enum(['site-locked', 'settings', 'site', 'default']),
    locked: z.boolean(),
    /** The environment variable that overrides the stored value, or null. */
    overriddenBy: z.string().nullable(),
  })),
});
/** `station config set --json` */
export const configSetDocumentSchema = z.object({ ok: z.literal(true), setting: z.string() });
/** `station config pin-hash --json` */
export const pinHashDocumentSchema = z.object({ adminPinHash: z.string() });
/** `station support-bundle --json` */
export const supportBundleDocumentSchema = z.object({ file: z.string(), entries: z.array(z.string()), bytes: z.number().int().min(0) });

/** Response headers and trailers as received: their names are data (`response-time-ms`), not keys of ours. */
const grpcMetadataSchema = z.record(z.string(), z.string());

/** A BWS response as printed: the proto's fields in camelCase at every depth (`featureVectors`, not `feature_vectors`). */
const camelCaseResponseSchema = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  for (const key of nestedKeys(value)) {
    if (!/^[a-z][a-zA-Z0-9]*$/.test(key)) context.addIssue({ code: 'custom', message: `response key "${key}" is not camelCase` });
  }
});

function nestedKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(nestedKeys);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => [key, ...nestedKeys(item)]);
  return [];
}

/** `station bws enroll|status|delete|tags|verify|search --json`: one call, as the service answered it. */
export const bwsCallDocumentSchema = z.object({ method: z.string(), response: camelCaseResponseSchema, headers: grpcMetadataSchema, trailers: grpcMetadataSchema });
/** `station bws health --json` */
export const bwsHealthDocumentSchema = z.object({
  endpoint: z.string(),
  results: z.array(z.object({ service: z.string(), response: camelCaseResponseSchema, headers: grpcMetadataSchema, trailers: grpcMetadataSchema })),
});
/** `station bws upgrade --json`: one row per class id. */
export const bwsUpgradeDocumentSchema = z.object({
  results: z.array(z.object({ classId: classIdSchema, action: z.string(), encoderVersion: z.number().int().nullable(), featureVectors: z.number().int().nullable(), message: z.string() })),
});
/** A failed `station bws ...` call: the gRPC status, its details, and what it means for a one-off call. */
export const bwsErrorDocumentSchema = z.object({
  error: z.object({ code: z.string(), grpcCode: z.number().int(), message: z.string(), advice: z.string() }),
  headers: grpcMetadataSchema,
  trailers: grpcMetadataSchema,
});

export type ImportDocument = z.infer<typeof importDocumentSchema>;
export type ImportClassDocument = z.infer<typeof importClassSchema>;
export type JobCountsDocument = z.infer<typeof jobCountsSchema>;
export type SyncWait = z.infer<typeof syncWaitSchema>;
export type SyncDocument = z.infer<typeof syncDocumentSchema>;
