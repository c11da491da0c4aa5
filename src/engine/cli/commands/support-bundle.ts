import type { Command } from 'commander';
import { supportBundleDocumentSchema } from '../../../shared/json-documents.js';
import { action } from '../context.js';

export function registerSupportBundle(program: Command): void {
  program
    .command('support-bundle')
    .description('write a .tar.gz for support: versions, doctor report, settings without secrets, queue states, audit check, recent logs (no images, embeddings, keys or class ids)')
    .option('--out <file>', 'where to write it (default: station-support-<time>.tar.gz here)')
    .option('--include-class-ids', 'keep class ids in the bundle (only when support asks for them)')
    .action(
      action(async (context, options: { out?: string; includeClassIds?: boolean }) => {
        const { defaultBundleName, writeSupportBundle } = await import('../../support-bundle.js');
        const result = await writeSupportBundle({ dataDir: context.dataDir, keyProvider: context.keyProvider, env: context.env, out: options.out ?? defaultBundleName(), includeClassIds: Boolean(options.includeClassIds) });
        if (context.json) context.out.document(supportBundleDocumentSchema, result);
        else context.out.line(`Support bundle written: ${result.file} (${(result.bytes / 1024).toFixed(1)} KB: ${result.entries.join(', ')}).`);
        return 0;
      }),
    );
}
