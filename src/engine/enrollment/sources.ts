import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { readClassId, type ClassIdReading } from '../../shared/class-id.js';
import { StationError, toErrorInfo } from '../../shared/errors.js';

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
 */
export function planImport(source: string): ImportPlan {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new StationError('IMAGE_NOT_FOUND', `${source} does not exist.`);
  }
  if (stat.isDirectory()) return planFolder(source);
  if (path.extname(source).toLowerCase() === '.csv') return planCsv(source);
  throw new StationError('USAGE', `${source} is neither a folder nor a .csv file. Give a folder of sub-folders named by class id, or a CSV of classId,path.`);
}

function planFolder(folder: string): ImportPlan {
  const plan: ImportPlan = { groups: [], problems: [] };
  const entries = fs.readdirSync(folder, { withFileTypes: true }).filter((entry) => !entry.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (!entry.isDirectory()) {
      plan.problems.push({ source: full, code: 'USAGE', message: 'Not in a class-id sub-folder: skipped. Put each person\'s photos in a folder named by their class id.' });
      continue;
    }
    let classId: ClassIdReading;
    try {
      classId = readClassId(entry.name);
    } catch (error) {
      plan.problems.push({ source: full, ...toErrorInfo(error) });
      continue;
    }
    const files: string[] = [];
    for (const file of fs.readdirSync(full, { withFileTypes: true }).filter((f) => f.isFile() && !f.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
      files.push(path.join(full, file.name));
    }
    if (files.length === 0) plan.problems.push({ source: full, code: 'IMAGE_NOT_FOUND', message: 'The folder holds no files.' });
    else addFiles(plan, classId, files);
  }
  return plan;
}

function planCsv(csvFile: string): ImportPlan {
  const plan: ImportPlan = { groups: [], problems: [] };
  const base = path.dirname(csvFile);
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parseCsv(fs.readFileSync(csvFile), { bom: true, comment: '#', relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof rows;
  } catch (error) {
    throw new StationError('USAGE', `${csvFile} is not a readable CSV file: ${(error as Error).message}`);
  }
  rows.forEach(({ record, info }, index) => {
    const where = `${path.basename(csvFile)} line ${info.lines}`;
    const [rawClassId, rawPath] = record;
    if (index === 0 && /^class_?id$/i.test(rawClassId ?? '')) return; // optional header
    if (!rawClassId || !rawPath || record.length !== 2) {
      plan.problems.push({ source: where, code: 'USAGE', message: 'Expected two columns: classId,path (quote paths that contain commas).' });
      return;
    }
    let classId: ClassIdReading;
    try {
      classId = readClassId(rawClassId);
    } catch (error) {
      plan.problems.push({ source: where, ...toErrorInfo(error) });
      return;
    }
    const file = path.resolve(base, rawPath);
    if (!fs.existsSync(file)) {
      plan.problems.push({ source: where, code: 'IMAGE_NOT_FOUND', message: `${rawPath} does not exist (paths are relative to the CSV file).` });
      return;
    }
    addFiles(plan, classId, [file]);
  });
  return plan;
}

/** Inputs that normalise to the same class id ("42" and "0042") are one class. */
function addFiles(plan: ImportPlan, reading: ClassIdReading, files: string[]): void {
  let group = plan.groups.find((candidate) => candidate.classId === reading.classId);
  if (!group) {
    group = { classId: reading.classId, files: [], givenAs: [] };
    plan.groups.push(group);
  }
  group.files.push(...files);
  if (!group.givenAs.includes(reading.given)) group.givenAs.push(reading.given);
}
