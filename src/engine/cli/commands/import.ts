import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { describeClassIdInput } from '../../../shared/class-id.js';
import { toErrorInfo } from '../../../shared/errors.js';
import { sha256, type SourceImage } from '../../enrollment/prepare.js';
import { type ImportPlan, planImport } from '../../enrollment/sources.js';
import type { Station } from '../../station.js';
import { action, type CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { readImageFile } from '../../image-file.js';
import { withStation } from '../station-access.js';

/** One class's outcome in a batch import (the JSON output's `classes` entries). */
export interface ImportClassResult {
  classId: string;
  result: 'queued' | 'skipped' | 'rejected';
  jobId: string | null;
  files: number;
  accepted: number;
  skipped: number;
  rejected: Array<{ file: string; reasons: string[] }>;
  reason: string | null;
  /** Set when the class id was written with leading zeros, or in several forms: "0042, 42 -> class 42 (one class)". */
  classIdNote: string | null;
}

export interface ImportSummary {
  source: string;
  classes: ImportClassResult[];
  problems: Array<{ source: string; code: string; message: string }>;
  totals: { queued: number; skipped: number; rejected: number; problems: number };
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('batch enrollment from a folder of class-id sub-folders, or a CSV of classId,path (safe to re-run)')
    .argument('<source>', 'folder (one sub-folder per class id) or .csv file')
    .option('--force', 'queue faces that look like another class id on this station')
    .action(
      action(async (context, source: string, options: { force?: boolean }) => {
        const plan = await planImport(source);
        const summary = await withStation(context, { create: true }, (station) => runImport(context, station, source, plan, Boolean(options.force)));
        printImportSummary(context, summary);
        const nothingQueued = summary.totals.queued === 0 && summary.totals.skipped === 0;
        // Partly done (3) also when a queued class lost some of its images: the README promises it for scripts.
        const rejectedImages = summary.classes.some((entry) => entry.rejected.length > 0);
        return nothingQueued ? 1 : summary.totals.rejected + summary.totals.problems > 0 || rejectedImages ? 3 : 0;
      }),
    );
}

async function runImport(context: CliContext, station: Station, source: string, plan: ImportPlan, force: boolean): Promise<ImportSummary> {
  const summary: ImportSummary = { source, classes: [], problems: [...plan.problems], totals: { queued: 0, skipped: 0, rejected: 0, problems: plan.problems.length } };
  const totalFiles = plan.groups.reduce((sum, group) => sum + group.files.length, 0);
  const bar = !context.json && process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: 'importing {bar} {value}/{total} files | {percentage}% | ETA {eta_formatted} | queued {queued} | rejected {rejected}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(totalFiles, 0, { queued: 0, rejected: 0 });
  let done = 0;

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
        if (station.store.hasSourceHash(sha256(bytes))) entry.skipped += 1;
        else images.push({ name: path.relative(path.dirname(path.resolve(source)), file), bytes });
      } catch (error) {
        entry.rejected.push({ file: path.basename(file), reasons: [toErrorInfo(error).message] });
      }
    }
    if (images.length === 0) {
      entry.result = entry.skipped > 0 && entry.rejected.length === 0 ? 'skipped' : 'rejected';
      entry.reason = entry.result === 'skipped' ? 'already queued' : 'no readable image';
    } else {
      try {
        const result = await station.enrollImages(group.classId, images, { force });
        entry.accepted = result.accepted.length;
        entry.rejected.push(...result.rejected.map((image) => ({ file: path.basename(image.name), reasons: image.reasons })));
        entry.jobId = result.jobId;
        // A re-run where the new files are all unusable leaves the class as it was: already queued.
        const alreadyQueued = !result.queued && entry.skipped > 0 && result.refusal?.code === 'NO_ACCEPTABLE_IMAGE';
        entry.result = result.queued ? 'queued' : alreadyQueued ? 'skipped' : 'rejected';
        entry.reason = alreadyQueued ? 'already queued; the other files were rejected' : (result.refusal?.message ?? null);
      } catch (error) {
        entry.reason = toErrorInfo(error).message;
        if (['DISK_FULL', 'DB_CORRUPT', 'KEY_WRONG', 'DB_LOCKED'].includes(toErrorInfo(error).code)) {
          bar?.stop();
          throw error; // the store itself is in trouble: stop rather than fail every remaining class
        }
      }
    }
    summary.classes.push(entry);
    if (entry.result === 'queued') summary.totals.queued += 1;
    else if (entry.result === 'skipped') summary.totals.skipped += 1;
    else summary.totals.rejected += 1;
    done += group.files.length;
    bar?.update(done, { queued: summary.totals.queued, rejected: summary.totals.rejected });
  }
  bar?.stop();
  return summary;
}

export function printImportSummary(context: CliContext, summary: ImportSummary): void {
  if (context.json) {
    context.out.document(summary);
    return;
  }
  const { out } = context;
  out.line(formatTable(
    ['class id', 'result', 'files', 'accepted', 'skipped', 'rejected', 'reason'],
    summary.classes.map((entry) => [entry.classId, entry.result, entry.files, entry.accepted, entry.skipped, entry.rejected.length, entry.reason ?? '']),
  ));
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
  out.line(`${t.queued} class(es) queued, ${t.skipped} already queued, ${t.rejected} refused; ${rejectedFiles.length} image(s) rejected; ${t.problems} entr${t.problems === 1 ? 'y' : 'ies'} not imported.`);
}
