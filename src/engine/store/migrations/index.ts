import type { Migration } from '../database.js';
import { SETTINGS_MIGRATION_SQL } from '../settings.js';
import { up as queueUp } from './002-queue.js';
import { up as imageKeysUp } from './003-image-keys.js';
import { up as jobCountsUp } from './004-job-counts.js';

/**
 * The queue database's schema history. Append new steps; never edit a released one.
 */
export const QUEUE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'settings',
    up: (db) => db.exec(SETTINGS_MIGRATION_SQL),
  },
  {
    version: 2,
    description: 'jobs, images, analysis, embeddings, source hashes, receipts, audit log',
    up: queueUp,
  },
  {
    version: 3,
    description: 'per-job image keys, so deleting a synced job\'s images only destroys its key',
    up: imageKeysUp,
  },
  {
    version: 4,
    description: 'jobs per state kept by triggers, so counting jobs does not scan them all',
    up: jobCountsUp,
  },
];
