import { z } from 'zod';
import { JOB_STATES, connectivitySchema, errorInfoSchema } from './schemas.js';

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

export type JobCountsDocument = z.infer<typeof jobCountsSchema>;
export type SyncWait = z.infer<typeof syncWaitSchema>;
export type SyncDocument = z.infer<typeof syncDocumentSchema>;
