import type { Command } from 'commander';
import { stationVersion } from '../version.js';
import { registerCommands } from './commands/index.js';
import { tolerateClosedOutput } from './output.js';

/** Global options that take a value: the word after them is not the command's name. */
const VALUE_OPTIONS = new Set(['--data-dir']);

/** The command about to run (its name as typed), or undefined (no command: help, version, or a typo). */
export function commandName(argv: readonly string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    if (VALUE_OPTIONS.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** Asked for by commander's exit override: main exits once the models started early are released. */
class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * The `station` command: the engine's main job without a display. Every command takes the global options
 * `--data-dir`, `--json` and `--debug`; see `station <command> --help`. With `only`, just that command is
 * registered (see registerCommands).
 */
export async function buildProgram(only?: string): Promise<Command> {
  // Imported here, not at the top: `station analyze` starts its models before the command line loads.
  const { Command } = await import('commander');
  const program = new Command('station')
    .description('Enrollment Station: analyse face photos, queue enrollments encrypted, and sync them to BioID BWS.')
    .version(stationVersion(), '-V, --version', 'print the station version')
    .option('--data-dir <dir>', 'data folder (default: $STATION_DATA_DIR or the per-user app data folder)')
    .option('--json', 'print one JSON document on stdout (human text goes to stderr)')
    .option('--debug', 'print stack traces on errors')
    .option('--new-queue', 'start an empty queue although this folder had one whose queue.db is missing (recorded in the audit log)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });
  program.exitOverride((error) => {
    // Commander prints its own usage errors; map them to exit code 2, and help/version to 0.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') throw new ExitRequest(0);
    // With --json, scripts get the documented error document on stdout for usage errors too.
    if (program.opts().json === true || process.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message: error.message.replace(/^error: /, '') } }, null, 2)}\n`);
    }
    throw new ExitRequest(2);
  });
  await registerCommands(program, only);
  return program;
}

async function startModelsEarly(): Promise<typeof import('../vision/models-start.js')> {
  (await import('../vision/inference-worker.js')).startInferenceWorker();
  const models = await import('../vision/models-start.js');
  models.startModelsEarly();
  return models;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  tolerateClosedOutput();
  const name = commandName(argv);
  const help = argv.includes('--help') || argv.includes('-h');
  // `analyze` needs the six models first: they start loading on their worker thread now, while the rest of the
  // command line loads and is parsed, and the analysis takes them (createVisionEngine with default options).
  // The worker itself starts first, before the model check's modules (zod) load on this thread.
  const models = name === 'analyze' && !help ? await startModelsEarly() : null;
  let exitCode: number | null = null;
  try {
    await (await buildProgram(name)).parseAsync(argv);
  } catch (error) {
    if (!(error instanceof ExitRequest)) throw error;
    exitCode = error.code;
  } finally {
    // Models nobody took (a usage error, a failed command): released before the process ends, since ending
    // it while the worker is inside onnxruntime's native loading code aborts instead of exiting.
    await models?.releaseEarlyModels();
  }
  if (exitCode !== null) process.exit(exitCode);
}
