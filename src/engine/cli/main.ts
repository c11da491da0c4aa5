import { Command } from 'commander';
import { stationVersion } from '../version.js';
import { registerCommands } from './commands/index.js';
import { tolerateClosedOutput } from './output.js';

/**
 * The `station` command: the engine's main job without a display. Every command takes the global options
 * `--data-dir`, `--json` and `--debug`; see `station <command> --help`.
 */
export function buildProgram(): Command {
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
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') process.exit(0);
    // With --json, scripts get the documented error document on stdout for usage errors too.
    if (program.opts().json === true || process.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message: error.message.replace(/^error: /, '') } }, null, 2)}\n`);
    }
    process.exit(2);
  });
  registerCommands(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  tolerateClosedOutput();
  await buildProgram().parseAsync(argv);
}
