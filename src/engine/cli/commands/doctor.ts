import type { Command } from 'commander';
import { doctorDocumentSchema } from '../../../shared/json-documents.js';
import { action } from '../context.js';
import { formatTable } from '../output.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check that models, native modules, the data folder, keys and the BWS endpoint are ready')
    .option('--no-network', 'do not contact the BWS endpoint')
    .action(
      action(async (context, options: { network: boolean }) => {
        const { runDoctor } = await import('../../doctor.js');
        const report = await runDoctor({ dataDir: context.dataDir, keyProvider: context.keyProvider, env: context.env, network: options.network });
        if (context.json) context.out.document(doctorDocumentSchema, report);
        else {
          context.out.line(formatTable(['check', 'status', 'detail'], report.checks.map((check) => [check.name, check.ok ? context.out.paint('green', 'ok') : context.out.paint('red', 'FAIL'), check.code ? `${check.detail} [${check.code}]` : check.detail])));
          context.out.line();
          context.out.line(report.ok ? 'All checks passed.' : 'Some checks failed: see the detail column.');
        }
        return report.ok ? 0 : 1;
      }),
    );
}
