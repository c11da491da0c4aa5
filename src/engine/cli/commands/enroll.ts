import path from 'node:path';
import { enrollDocumentSchema } from '../../../shared/json-documents.js';
import type { Command } from 'commander';
import { toErrorInfo } from '../../../shared/errors.js';
import type { EnrollResult } from '../../../shared/schemas.js';
import { NO_ACCEPTABLE_IMAGE_MESSAGE, type SourceImage } from '../../enrollment/prepare.js';
import { action, classIdArgument, type CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { readImageFile } from '../../image-file.js';
import { withStation } from '../station-access.js';

export function registerEnroll(program: Command): void {
  program
    .command('enroll')
    .description('analyse photos of one person and queue them (encrypted) for enrollment under a class id')
    .requiredOption('--class-id <id>', 'BWS class id: digits, 1 .. 9223372036854775807')
    .option('--force', 'queue even if the face looks like another class id on this station')
    .argument('<image...>', 'photo files of the same person')
    .action(
      action(async (context, files: string[], options: { classId: string; force?: boolean }) => {
        // Validate before any work (no model loading, no database).
        const classId = classIdArgument(context, options.classId);
        const images: SourceImage[] = [];
        const unreadable: EnrollResult['rejected'] = [];
        for (const file of files) {
          try {
            images.push({ name: path.basename(file), bytes: readImageFile(file) });
          } catch (error) {
            unreadable.push({ name: path.basename(file), reasons: [toErrorInfo(error).message] });
          }
        }
        const result: EnrollResult =
          images.length === 0
            ? { jobId: null, classId, queued: false, accepted: [], rejected: unreadable, refusal: { code: 'NO_ACCEPTABLE_IMAGE', message: NO_ACCEPTABLE_IMAGE_MESSAGE } }
            : await withStation(context, { create: true }, async (station) => {
                const { prepared: _prepared, ...enrolled } = await station.enrollImages(classId, images, { force: Boolean(options.force) });
                return { ...enrolled, rejected: [...unreadable, ...enrolled.rejected] };
              });
        printEnrollResult(context, result);
        return result.queued ? 0 : 1;
      }),
    );
}

export function printEnrollResult(context: CliContext, result: EnrollResult): void {
  if (context.json) {
    context.out.document(enrollDocumentSchema, result);
    return;
  }
  const { out } = context;
  if (result.queued) {
    const what = result.update ? `an update of class ${result.classId} (already synced: the images are added to its template)` : `class ${result.classId}`;
    out.line(`${out.paint('green', 'Queued')} job ${result.jobId} for ${what}: ${result.accepted.length} image(s) accepted, ${result.rejected.length} rejected.`);
  }
  else out.line(`${out.paint('red', 'Nothing queued')} for class ${result.classId}${result.refusal ? `: ${result.refusal.message}` : '.'}`);
  const rows: string[][] = [
    ...result.accepted.map((image) => [image.name, 'accepted', image.warnings.join(' ')]),
    ...result.rejected.map((image) => [image.name, 'rejected', image.reasons.join(' ')]),
  ];
  if (rows.length > 0) {
    out.line();
    out.line(formatTable(['image', 'result', 'reasons'], rows));
  }
}
