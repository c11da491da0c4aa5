import type { Command } from 'commander';
import { StationError } from '../../../shared/errors.js';
import { action } from '../context.js';

// Placeholder: filled in by its own issue.
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(
      action(async () => {
        throw new StationError('NOT_CONFIGURED', 'station analyze is not built yet.');
      }),
    );
}
