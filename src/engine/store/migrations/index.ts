import type { Migration } from '../database.js';
import { SETTINGS_MIGRATION_SQL } from '../settings.js';

/**
 * The queue database's schema history. Append new steps; never edit a released one.
 */
export const QUEUE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'settings',
    up: (db) => db.exec(SETTINGS_MIGRATION_SQL),
  },
];
