import path from 'node:path';
import { type ImportClassDocument, type ImportDocument, importDocumentSchema } from '../../../shared/json-documents.js';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { describeClassIdInput } from '../../../shared/class-id.js';
import { StationError, toErrorInfo } from '../../../shared/errors.js';
import { NO_ACCEPTABLE_IMAGE_MESSAGE, sha256, type SourceImage } from '../../enrollment/prepare.js';
import { type ImportPlan, planImport } from '../../enrollment/sources.js';
import type { Station } from '../../station.js';
import { action, type CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { readImageFile } from '../../image-file.js';
import { withStation } from '../station-access.js';

/**
 * The import's vocabulary, the same in the progress bar, the tables, the summary line and the JSON document:
 *  - a class is `queued` (a job was queued), `skipped` (every file of it is already queued for this class) or
 *    `rejected` (nothing queued for it; `reason` says why);
 *  - an image is `accepted` (in the queued job), `skipped` (already queued for this class) or `rejected` (with
 *    its reasons);
 *  - an entry of the source that cannot become an enrollment at all (a folder not named by a class id, a CSV line
 *    without a path) is `not imported` (the `problems` list).
 */
export type ImportClassResult = ImportClassDocument;
export type ImportSummary = ImportDocument;

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('batch enrollment from a folder of class-id sub-folders, or a CSV of classId,path (safe to re-run)')
    .argument('<source>', 'folder (one sub-folder per class id) or .csv file')
    .option('--force', 'queue faces that look like another class id on this station, and files already queued under another class id')
    .action(
      action(async (context, source: string, options: { force?: boolean }) => {
        const plan = await planImport(source);
        if (plan.groups.length === 0 && plan.problems.length === 0) {
          throw new StationError(
            'IMPORT_EMPTY',
            `${source} holds nothing to import. Put each person's photos in a sub-folder named by their class id (for example ${path.join(source, '1001', 'front.jpg')}), or give a CSV of classId,path lines.`,
          );
        }
        const summary = await withStation(context, { create: true }, (station) => runImport(context, station, source, plan, Boolean(options.force)));
        printImportSummary(context, summary);
        const t = summary.totals;
        if (t.queued === 0 && t.skipped === 0) return 1;
        // Partly done (3) also when a queued class lost some of its images: the README promises it for scripts.
        return t.rejected + t.problems + t.imagesRejected > 0 ? 3 : 0;
      }),
    );
}

export async function runImport(context: CliContext, station: Station, source: string, plan: ImportPlan, force: boolean): Promise<ImportSummary> {
  const summary: ImportSummary = {
    source,
    classes: [],
    problems: [...plan.problems],
    totals: { queued: 0, skipped: 0, rejected: 0, imagesAccepted: 0, imagesSkipped: 0, imagesRejected: 0, problems: plan.problems.length },
  };
  const totalFiles = plan.groups.reduce((sum, group) => sum + group.files.length, 0);
  const bar = !context.json && process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: 'importing {bar} {value}/{total} files | ETA {eta_formatted} | classes: {queued} queued, {skipped} skipped, {rejected} rejected', stream: process.stderr, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(totalFiles, 0, { queued: 0, skipped: 0, rejected: 0 });
  let done = 0;
  // Read once for the whole import (it grows with the queue); enrollImages adds each queued class to it.
  const gallery = station.store.galleryEmbeddings();

  for (const group of plan.groups) {
    const entry: ImportClassResult = {
      classId: group.classId,
      result: 'rejected',
      jobId: null,
      files: group.files.length,
      accepted: 0,
      skipped: 0,
      rejected: [],
      reason: null,
      classIdNote: describeClassIdInput(group.classId, group.givenAs),
    };
    const images: SourceImage[] = [];
    for (const file of group.files) {
      try {
        const bytes = readImageFile(file);
        const queued = station.store.sourceFileQueued(sha256(bytes), group.classId);
        if (queued.thisClass) entry.skipped += 1;
        else if (queued.otherClass !== null && !force) {
          entry.rejected.push({ file: path.basename(file), reasons: [`The same file is already queued under class ${queued.otherClass}; use --force to queue it for class ${group.classId} as well.`] });
        } else images.push({ name: path.relative(path.dirname(path.resolve(source)), file), bytes });
      } catch (error) {
        entry.rejected.push({ file: path.basename(file), reasons: [toErrorInfo(error).message] });
      }
    }
    if (images.length === 0) {
      entry.result = entry.skipped > 0 && entry.rejected.length === 0 ? 'skipped' : 'rejected';
      entry.reason = entry.result === 'skipped' ? 'already queued' : entry.skipped > 0 ? `already queued, except: ${NO_ACCEPTABLE_IMAGE_MESSAGE}` : NO_ACCEPTABLE_IMAGE_MESSAGE;
      // A class some of whose files are queued already stays queued: report it as skipped, with the rejects.
      if (entry.skipped > 0) entry.result = 'skipped';
    } else {
      try {
        const result = await station.enrollImages(group.classId, images, { force, gallery });
        entry.accepted = result.accepted.length;
        entry.rejected.push(...result.rejected.map((image) => ({ file: path.basename(image.name), reasons: image.reasons })));
        entry.jobId = result.jobId;
        // A re-run where the new files are all unusable leaves the class as it was: already queued.
        const alreadyQueued = !result.queued && entry.skipped > 0 && result.refusal?.code === 'NO_ACCEPTABLE_IMAGE';
        entry.result = result.queued ? 'queued' : alreadyQueued ? 'skipped' : 'rejected';
        entry.reason = alreadyQueued ? `already queued, except: ${NO_ACCEPTABLE_IMAGE_MESSAGE}` : (result.refusal?.message ?? null);
      } catch (error) {
        entry.reason = toErrorInfo(error).message;
        if (['DISK_FULL', 'DB_CORRUPT', 'KEY_WRONG', 'DB_LOCKED'].includes(toErrorInfo(error).code)) {
          bar?.stop();
          throw error; // the store itself is in trouble: stop rather than fail every remaining class
        }
      }
    }
    summary.classes.push(entry);
    summary.totals[entry.result] += 1;
    summary.totals.imagesAccepted += entry.accepted;
    summary.totals.imagesSkipped += entry.skipped;
    summary.totals.imagesRejected += entry.rejected.length;
    done += group.files.length;
    bar?.update(done, { queued: summary.totals.queued, skipped: summary.totals.skipped, rejected: summary.totals.rejected });
  }
  bar?.stop();
  return summary;
}

export function printImportSummary(context: CliContext, summary: ImportSummary): void {
  if (context.json) {
    context.out.document(importDocumentSchema, summary);
    return;
  }
  const { out } = context;
  if (summary.classes.length > 0) {
    out.line(formatTable(
      ['class id', 'result', 'files', 'accepted', 'skipped', 'rejected', 'reason'],
      summary.classes.map((entry) => [entry.classId, entry.result, entry.files, entry.accepted, entry.skipped, entry.rejected.length, entry.reason ?? '']),
    ));
  }
  const normalised = summary.classes.flatMap((entry) => (entry.classIdNote ? [entry.classIdNote] : []));
  if (normalised.length > 0) {
    out.line();
    out.line('Class ids read with leading zeros or in several forms:');
    for (const note of normalised) out.line(`  ${note}`);
  }
  const rejectedFiles = summary.classes.flatMap((entry) => entry.rejected.map((file) => [entry.classId, file.file, file.reasons.join(' ')]));
  if (rejectedFiles.length > 0) {
    out.line();
    out.line('Rejected images:');
    out.line(formatTable(['class id', 'file', 'reason'], rejectedFiles));
  }
  if (summary.problems.length > 0) {
    out.line();
    out.line('Not imported:');
    out.line(formatTable(['source', 'reason'], summary.problems.map((problem) => [problem.source, problem.message])));
  }
  out.line();
  const t = summary.totals;
  out.line(`Classes: ${t.queued} queued, ${t.skipped} skipped (already queued), ${t.rejected} rejected. Images: ${t.imagesAccepted} accepted, ${t.imagesSkipped} skipped, ${t.imagesRejected} rejected. Not imported: ${t.problems} entr${t.problems === 1 ? 'y' : 'ies'}.`);
}
