import type { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerBws } from './bws.js';
import { registerConfig } from './config.js';
import { registerDoctor } from './doctor.js';
import { registerEnroll } from './enroll.js';
import { registerImport } from './import.js';
import { registerQueue } from './queue.js';
import { registerSupportBundle } from './support-bundle.js';
import { registerSync } from './sync.js';

/** Every command of `station`, in the order `--help` lists them: the main job first, then tools. */
export function registerCommands(program: Command): void {
  registerEnroll(program);
  registerImport(program);
  registerQueue(program); // queue, retry, discard, purge
  registerSync(program);
  registerAnalyze(program);
  registerConfig(program);
  registerBws(program);
  registerDoctor(program);
  registerSupportBundle(program);
}
