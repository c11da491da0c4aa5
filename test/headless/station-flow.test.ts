import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { queueOutputSchema } from '../../src/shared/schemas.js';
import { face, facesDir, tempDir } from '../helpers/paths.js';
import { normalize, station, testDbKey } from './helpers.js';

/**
 * The README's headless walk-through, end to end with the real CLI, real models, the real encrypted queue and
 * the embedded BWS-compatible service over real gRPC on 127.0.0.1.
 */
const labels = JSON.parse(fs.readFileSync(path.join(facesDir, 'labels.json'), 'utf8')) as Record<string, { person: string | null; faces: number }>;
const people = [...new Set(Object.values(labels).map((label) => label.person).filter((person): person is string => person !== null))].sort();
/** One class id per person; the last one is the largest int64 to prove it survives every layer. */
const classIdOf = (person: string) => (person === 'rose_leslie' ? '9223372036854775807' : String(1001 + people.indexOf(person)));

describe('headless station: import -> queue -> sync --local -> bws status', () => {
  const dataDir = path.join(tempDir('station-flow-'), 'data');
  const importDir = tempDir('station-import-');
  const env = { STATION_DB_KEY: testDbKey() };

  beforeAll(() => {
    for (const [file, label] of Object.entries(labels)) {
      if (!label.person || label.faces !== 1) continue;
      const folder = path.join(importDir, classIdOf(label.person));
      fs.mkdirSync(folder, { recursive: true });
      fs.copyFileSync(face(file), path.join(folder, file));
    }
    // Bad files in one class folder: reported, the rest of that class proceeds.
    const obamaFolder = path.join(importDir, classIdOf('obama'));
    fs.writeFileSync(path.join(obamaFolder, 'corrupt.jpg'), fs.readFileSync(face('obama.jpg')).subarray(0, 2000));
    fs.writeFileSync(path.join(obamaFolder, 'notes.txt'), 'not a photo');
    // A folder whose name is not a class id.
    fs.mkdirSync(path.join(importDir, 'guest-17'));
    fs.copyFileSync(face('biden.jpg'), path.join(importDir, 'guest-17', 'biden.jpg'));
  });

  it('imports every person, reporting the bad files while the rest proceed', async () => {
    const run = await station(['--data-dir', dataDir, '--json', 'import', importDir], env);
    const summary = JSON.parse(run.stdout);
    expect(run.code, run.stderr).toBe(3); // queued, with some files rejected
    const byClass = Object.fromEntries(summary.classes.map((entry: { classId: string }) => [entry.classId, entry]));
    for (const person of people) expect(byClass[classIdOf(person)]?.result, person).toBe('queued');
    const obama = byClass[classIdOf('obama')];
    const rejectedNames = obama.rejected.map((file: { file: string }) => file.file);
    expect(rejectedNames).toContain('corrupt.jpg');
    expect(rejectedNames).toContain('notes.txt');
    expect(obama.accepted).toBeGreaterThanOrEqual(3);
    expect(summary.problems.map((problem: { source: string }) => path.basename(problem.source))).toEqual(['guest-17']);
    expect(summary.problems[0].code).toBe('INVALID_CLASS_ID');
  });

  it('re-running the import queues nothing twice', async () => {
    const run = await station(['--data-dir', dataDir, '--json', 'import', importDir], env);
    const summary = JSON.parse(run.stdout);
    expect(summary.totals.queued).toBe(0);
    expect(summary.classes.every((entry: { result: string }) => entry.result === 'skipped')).toBe(true);
    const queue = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout));
    expect(queue.jobs).toHaveLength(people.length);
  });

  it('syncs every class to the embedded service exactly once', async () => {
    const run = await station(['--data-dir', dataDir, 'sync', '--local'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Synced ${people.length} job\\(s\\) now, ${people.length} in all; 0 waiting; 0 need attention`));
    const queue = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout));
    expect(queue.jobs.map((job) => job.state)).toEqual(people.map(() => 'synced'));
    expect(queue.jobs.every((job) => job.performedAction === 'NEW_TEMPLATE_CREATED' && job.serverJobId)).toBe(true);
  });

  it('station bws status --local shows each template with one feature vector per image sent (each job stored once)', async () => {
    const queue = queueOutputSchema.parse(JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout));
    for (const person of ['obama', 'rose_leslie']) {
      const job = queue.jobs.find((entry) => entry.classId === classIdOf(person))!;
      expect(job.imageCount).toBeGreaterThanOrEqual(1);
      const run = await station(['--data-dir', dataDir, '--json', 'bws', 'status', '--local', '--class-id', classIdOf(person)], env);
      expect(run.code, run.stderr).toBe(0);
      const { response } = JSON.parse(run.stdout);
      expect(response).toMatchObject({ classId: classIdOf(person), available: true, featureVectors: job.imageCount });
    }
  });
});

describe('headless station: refusals', () => {
  const env = { STATION_DB_KEY: testDbKey() };

  it('refuses photos of different people', async () => {
    const dataDir = path.join(tempDir('station-diff-'), 'data');
    const run = await station(['--data-dir', dataDir, 'enroll', '--class-id', '77', face('obama.jpg'), face('biden.jpg')], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/These photos show different people/);
    const queue = JSON.parse((await station(['--data-dir', dataDir, '--json', 'queue'], env)).stdout);
    expect(queue.jobs).toEqual([]);
  });

  it('refuses a face already queued under another class id, unless --force', async () => {
    const dataDir = path.join(tempDir('station-dup-'), 'data');
    const first = await station(['--data-dir', dataDir, 'enroll', '--class-id', '500', face('obama.jpg')], env);
    expect(first.code, first.stderr).toBe(0);
    const second = await station(['--data-dir', dataDir, '--json', 'enroll', '--class-id', '501', face('obama2.jpg')], env);
    expect(second.code).toBe(1);
    const refused = JSON.parse(second.stdout);
    expect(refused.refusal.code).toBe('DUPLICATE_FACE');
    expect(refused.refusal.message).toMatch(/looks like class 500/);
    const forced = await station(['--data-dir', dataDir, '--json', 'enroll', '--force', '--class-id', '501', face('obama2.jpg')], env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).queued).toBe(true);
    // Someone else entirely is not a duplicate.
    const other = await station(['--data-dir', dataDir, 'enroll', '--class-id', '502', face('biden.jpg')], env);
    expect(other.code, other.stdout + other.stderr).toBe(0);
  });

  it.each(['12a', '0', '-5', '1e3', '12345678901234567890'])('rejects class id %j before any work', async (classId) => {
    const dataDir = path.join(tempDir('station-badid-'), 'data');
    const run = await station(['--data-dir', dataDir, '--json', 'enroll', `--class-id=${classId}`, face('obama.jpg')], env);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('INVALID_CLASS_ID');
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});

describe('headless station: human output', () => {
  it('prints aligned tables (snapshots)', async () => {
    const root = tempDir('station-snap-');
    const dataDir = path.join(root, 'data');
    const env = { STATION_DB_KEY: testDbKey() };
    const source = path.join(root, 'batch');
    fs.mkdirSync(path.join(source, '42'), { recursive: true });
    fs.mkdirSync(path.join(source, '43'), { recursive: true });
    fs.copyFileSync(face('biden.jpg'), path.join(source, '42', 'biden.jpg'));
    fs.writeFileSync(path.join(source, '42', 'scan.jpg'), 'not really a jpeg');
    fs.copyFileSync(face('kit_harington1.jpg'), path.join(source, '43', 'kit.jpg'));
    const imported = await station(['--data-dir', dataDir, 'import', source], env);
    expect(normalize(imported.stdout, { [root]: '<tmp>' })).toMatchSnapshot('import summary');
    const queue = await station(['--data-dir', dataDir, 'queue'], env);
    expect(normalize(queue.stdout)).toMatchSnapshot('queue table');
    const refused = await station(['--data-dir', dataDir, 'enroll', '--class-id', '44', face('biden2.jpg')], env);
    expect(normalize(refused.stdout)).toMatchSnapshot('duplicate refusal');
  });
});
