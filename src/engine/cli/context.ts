import type { Command } from 'commander';
import { describeClassIdInput, readClassId } from '../../shared/class-id.js';
import { StationError } from '../../shared/errors.js';
import { resolveDataDir } from '../paths.js';
import { type KeyProvider, headlessKeyProviderFromEnv } from '../store/keys.js';
import { Output } from './output.js';

/** What every command gets: resolved global options, output, and the engine's ports for plain Node. */
export interface CliContext {
  dataDir: string;
  json: boolean;
  debug: boolean;
  out: Output;
  keyProvider: KeyProvider;
  env: NodeJS.ProcessEnv;
  /** `--new-queue`: an operator accepts that a missing queue.db is replaced by an empty queue. */
  newQueue: boolean;
}

export function contextFor(command: Command): CliContext {
  const options = command.optsWithGlobals() as { dataDir?: string; json?: boolean; debug?: boolean; newQueue?: boolean };
  const out = new Output(Boolean(options.json), Boolean(options.debug));
  return {
    dataDir: resolveDataDir(options.dataDir),
    json: Boolean(options.json),
    debug: Boolean(options.debug),
    newQueue: Boolean(options.newQueue),
    out,
    env: process.env,
    keyProvider: headlessKeyProviderFromEnv(process.env, (file) =>
      out.warn(`created a key file at ${file}. No OS keystore protects it: anyone who copies the whole folder can read the queue. Set STATION_DB_KEY or STATION_DB_PASSPHRASE to avoid this.`),
    ),
  };
}

/**
 * Wraps a command body: runs it, prints a coded error on failure, and sets the exit code
 * (0 success, 1 failure, 2 usage error). Bodies return their own exit code when "partly failed" matters.
 */
export function action<A extends unknown[]>(body: (context: CliContext, ...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const context = contextFor(command);
    try {
      const code = await body(context, ...(args.slice(0, -1) as A));
      process.exitCode = code ?? 0;
    } catch (error) {
      const info = context.out.error(error);
      process.exitCode = USAGE_CODES.has(info.code) ? 2 : 1;
    }
  };
}

/** Errors in what was typed (checked before any work): exit code 2. */
const USAGE_CODES = new Set(['USAGE', 'INVALID_CLASS_ID', 'IMPORT_SOURCE_NOT_FOUND']);

export function usageError(message: string): StationError {
  return new StationError('USAGE', message);
}

/** Reads a `--class-id` argument under the one class-id rule, and tells the person when it was normalised. */
export function classIdArgument(context: CliContext, text: string): string {
  const reading = readClassId(text);
  const note = describeClassIdInput(reading.classId, [reading.given]);
  if (note) context.out.note(note);
  return reading.classId;
}
