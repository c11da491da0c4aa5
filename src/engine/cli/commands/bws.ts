import type { Command } from 'commander';
import { StationError } from '../../../shared/errors.js';
import { action } from '../context.js';

// Placeholder: filled in by its own issue.
export function registerBws(program: Command): void {
  program
    .command('bws')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(
      action(async () => {
        throw new StationError('NOT_CONFIGURED', 'station bws is not built yet.');
      }),
    );
}
