import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every command of `station`, in the order `--help` lists them: the main job first, then tools. Each module
 * is imported only when one of its commands runs (or for the full help), so a command never loads the
 * others' dependencies (the store for `analyze`, the vision engine for `queue`, ...).
 */
export const COMMANDS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Register> }> = [
  { names: ['enroll'], load: async () => (await import('./enroll.js')).registerEnroll },
  { names: ['import'], load: async () => (await import('./import.js')).registerImport },
  { names: ['queue', 'retry', 'discard', 'purge'], load: async () => (await import('./queue.js')).registerQueue },
  { names: ['sync'], load: async () => (await import('./sync.js')).registerSync },
  { names: ['analyze'], load: async () => (await import('./analyze.js')).registerAnalyze },
  { names: ['config'], load: async () => (await import('./config.js')).registerConfig },
  { names: ['bws'], load: async () => (await import('./bws.js')).registerBws },
  { names: ['doctor'], load: async () => (await import('./doctor.js')).registerDoctor },
  { names: ['support-bundle'], load: async () => (await import('./support-bundle.js')).registerSupportBundle },
];

/**
 * Registers the command named `only` (the one about to run), or every command when `only` is not given or
 * is no command's name (the full help, `help <command>`, and commander's "did you mean" need them all).
 */
export async function registerCommands(program: Command, only?: string): Promise<void> {
  const one = COMMANDS.filter((entry) => only !== undefined && entry.names.includes(only));
  const registers = await Promise.all((one.length > 0 ? one : COMMANDS).map((entry) => entry.load()));
  for (const register of registers) register(program);
}
