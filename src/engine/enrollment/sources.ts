import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import { readClassId, type ClassIdReading } from '../../shared/class-id.js';
import { StationError, toErrorInfo } from '../../shared/errors.js';
import { describeKind } from '../image-file.js';

/** One person to enroll in a batch: a class id and the files that show them. */
export interface ImportGroup {
  classId: string;
  files: string[];
  /** Every form the class id was written in (folder names, CSV cells), trimmed: "42", "0042". */
  givenAs: string[];
}

export interface ImportPlan {
  groups: ImportGroup[];
  /** Entries that cannot become an enrollment at all (bad class id, missing file): reported, the rest proceed. */
  problems: Array<{ source: string; code: string; message: string }>;
}

/**
 * Reads a batch source: a folder of sub-folders named by class id (each holding that person's photos), or a
 * CSV of `classId,path` lines (UTF-8, optional header, paths relative to the CSV file).
 * Every file in a class folder is listed, whatever its name: a non-image is analysed, fails to decode and is
 * reported with its reason while the rest proceed. Hidden files are ignored.
 * Only file names are gathered here, never image bytes: the import reads each class's images when it gets
 * to that class.
 */
export async function planImport(source: string): Promise<ImportPlan> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new StationError('IMPORT_SOURCE_NOT_FOUND', `${source} does not exist: give a folder of sub-folders named by class id, or a CSV of classId,path.`);
  }
  if (stat.isDirectory()) return planFolder(source);
  if (path.extname(source).toLowerCase() === '.csv') return planCsv(source);
  throw new StationError('USAGE', `${source} is neither a folder nor a .csv file. Give a folder of sub-folders named by class id, or a CSV of classId,path.`);
}

function planFolder(folder: string): ImportPlan {
  const plan = new PlanBuilder();
  const entries = fs.readdirSync(folder, { withFileTypes: true }).filter((entry) => !entry.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (!entry.isDirectory()) {
      plan.problem({ source: full, code: 'USAGE', message: 'Not in a class-id sub-folder: skipped. Put each person\'s photos in a folder named by their class id.' });
      continue;
    }
    let classId: ClassIdReading;
    try {
      classId = readClassId(entry.name);
    } catch (error) {
      plan.problem({ source: full, ...toErrorInfo(error) });
      continue;
    }
    const files: string[] = [];
    for (const file of fs.readdirSync(full, { withFileTypes: true }).filter((f) => !f.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
      const filePath = path.join(full, file.name);
      // Links are followed: a link to a photo is a photo; anything else that is not a regular file is reported.
      const stat = file.isFile() ? null : statOrNull(filePath);
      if (file.isFile() || stat?.isFile()) files.push(filePath);
      else plan.problem({ source: filePath, code: 'IMAGE_NOT_A_FILE', message: `${filePath} is ${stat ? describeKind(stat) : 'a broken link'}, not an image file: skipped.` });
    }
    if (files.length === 0) plan.problem({ source: full, code: 'IMAGE_NOT_FOUND', message: 'The folder holds no files.' });
    else for (const file of files) plan.add(classId, file);
  }
  return plan.done();
}

/**
 * The CSV is streamed row by row (a 100,000-row file is never held as a whole). A file listed more than once
 * is imported once: again for the same class it adds nothing, and for another class it would put one photo
 * under two class ids, which is a mistake in the list; both are reported once per file, with their lines.
 */
async function planCsv(csvFile: string): Promise<ImportPlan> {
  const plan = new PlanBuilder();
  const base = path.dirname(csvFile);
  const name = path.basename(csvFile);
  const parser = fs.createReadStream(csvFile).pipe(parseCsv({ bom: true, comment: '#', relax_column_count: true, skip_empty_lines: true, trim: true, info: true }));
  let first = true;
  try {
    for await (const row of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = row;
      const where = `${name} line ${info.lines}`;
      const [rawClassId, rawPath] = record;
      const header = first && /^class_?id$/i.test(rawClassId ?? '');
      first = false;
      if (header) continue; // optional header
      if (!rawClassId || !rawPath || record.length !== 2) {
        plan.problem({ source: where, code: 'USAGE', message: 'Expected two columns: classId,path (quote paths that contain commas).' });
        continue;
      }
      let classId: ClassIdReading;
      try {
        classId = readClassId(rawClassId);
      } catch (error) {
        plan.problem({ source: where, ...toErrorInfo(error) });
        continue;
      }
      const file = path.resolve(base, rawPath);
      if (!plan.exists(file)) {
        plan.problem({ source: where, code: 'IMAGE_NOT_FOUND', message: `${rawPath} does not exist (paths are relative to the CSV file).` });
        continue;
      }
      plan.add(classId, file, { where, line: info.lines, shown: rawPath });
    }
  } catch (error) {
    if (error instanceof StationError) throw error;
    throw new StationError('USAGE', `${csvFile} is not a readable CSV file: ${(error as Error).message}`, { cause: error });
  }
  return plan.done();
}

/** Where a file was first listed, and the later rows that list it again (a few line numbers and a count). */
interface Listing {
  classId: string;
  where: string;
  shown: string;
  again: { sameClass: number; otherClass: number; lines: number[] };
}

const LINES_SHOWN = 5;

/** Collects groups (one per class id, in the order first seen) and problems, with each file listed once. */
class PlanBuilder {
  private readonly groups = new Map<string, ImportGroup>();
  private readonly problems: ImportPlan['problems'] = [];
  /** By file identity (device and inode), so `a.jpg`, `./a.jpg` and a link to it count as one file. */
  private readonly listings = new Map<string, Listing>();
  private readonly identities = new Map<string, string | null>();

  problem(problem: ImportPlan['problems'][number]): void {
    this.problems.push(problem);
  }

  exists(file: string): boolean {
    return this.identity(file) !== null;
  }

  /** Inputs that normalise to the same class id ("42" and "0042") are one class. */
  add(reading: ClassIdReading, file: string, origin?: { where: string; line: number; shown: string }): void {
    const { classId } = reading;
    let group = this.groups.get(classId);
    if (!group) {
      group = { classId, files: [], givenAs: [] };
      this.groups.set(classId, group);
    }
    if (!group.givenAs.includes(reading.given)) group.givenAs.push(reading.given);
    const identity = this.identity(file) ?? file;
    const listed = this.listings.get(identity);
    if (listed) {
      if (listed.classId === classId) listed.again.sameClass += 1;
      else listed.again.otherClass += 1;
      if (origin && listed.again.lines.length < LINES_SHOWN) listed.again.lines.push(origin.line);
      return;
    }
    this.listings.set(identity, { classId, where: origin?.where ?? file, shown: origin?.shown ?? file, again: { sameClass: 0, otherClass: 0, lines: [] } });
    group.files.push(file);
  }

  done(): ImportPlan {
    for (const listing of this.listings.values()) {
      const { sameClass, otherClass, lines } = listing.again;
      if (sameClass + otherClass === 0) continue;
      const count = sameClass + otherClass;
      const more = count > lines.length ? ` and ${count - lines.length} more` : '';
      const parts = [
        sameClass > 0 ? `${sameClass} more time(s) for class ${listing.classId}` : '',
        otherClass > 0 ? `${otherClass} time(s) for other class ids (one photo shows one person: only class ${listing.classId} gets it)` : '',
      ].filter(Boolean);
      this.problems.push({
        source: listing.where,
        code: 'DUPLICATE_FILE',
        message: `${listing.shown} is listed again ${parts.join(' and ')}, on line(s) ${lines.join(', ')}${more}. It is read and imported once.`,
      });
    }
    // A class whose every row repeats another class's file has nothing of its own to import.
    return { groups: [...this.groups.values()].filter((group) => group.files.length > 0), problems: this.problems };
  }

  private identity(file: string): string | null {
    let known = this.identities.get(file);
    if (known === undefined) {
      try {
        const stat = fs.statSync(file);
        known = `${stat.dev}:${stat.ino}`;
      } catch {
        known = null;
      }
      this.identities.set(file, known);
    }
    return known;
  }
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}
