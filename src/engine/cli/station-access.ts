import fs from 'node:fs';
import { StationError } from '../../shared/errors.js';
import { dataPaths } from '../paths.js';
import { refuseMissingQueue } from '../store/queue-db.js';
import type { Station } from '../station.js';
import type { CliContext } from './context.js';

/** Opens the data folder's station for one command and always closes it (releasing locks and sessions). */
export async function withStation<T>(context: CliContext, options: { create: boolean }, body: (station: Station) => Promise<T>): Promise<T> {
  // Loaded on use: `station --help` and usage errors should not pay for ONNX, sharp, SQLite and gRPC.
  const { Station } = await import('../station.js');
  const station = await Station.open({ dataDir: context.dataDir, keyProvider: context.keyProvider, env: context.env, create: options.create, newQueue: context.newQueue });
  try {
    return await body(station);
  } finally {
    await station.close();
  }
}

/**
 * Whether the data folder has a queue database yet (read-only commands then have nothing to do). A queue that
 * went missing is an error, not "nothing to do" (unless the operator said --new-queue).
 */
export function queueExists(context: CliContext): boolean {
  if (fs.existsSync(dataPaths(context.dataDir).queueDb)) return true;
  if (!context.newQueue) refuseMissingQueue(context.dataDir);
  return false;
}

/** Accepts a full job id or an unambiguous prefix of one (the queue table shows the first 8 characters). */
export function resolveJobId(station: Station, text: string): string {
  const prefix = text.trim().toLowerCase();
  if (!/^[0-9a-f-]{4,36}$/.test(prefix)) throw new StationError('JOB_NOT_FOUND', `"${text}" is not a job id. Use the id shown by \`station queue\`.`);
  const matches = station.store.db.prepare('SELECT id FROM jobs WHERE id LIKE ? LIMIT 2').pluck().all(`${prefix}%`) as string[];
  if (matches.length === 0) throw new StationError('JOB_NOT_FOUND', `No job id starts with ${prefix}.`);
  if (matches.length > 1) throw new StationError('USAGE', `${prefix} matches several jobs; give more characters.`);
  return matches[0] as string;
}
