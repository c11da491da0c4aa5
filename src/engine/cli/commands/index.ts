import type { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerBws } from './bws.js';
import { registerDoctor } from './doctor.js';

/** Every command of `station`, in the order `--help` lists them. */
export function registerCommands(program: Command): void {
  registerAnalyze(program);
  registerBws(program);
  registerDoctor(program);
}
