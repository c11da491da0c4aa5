import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runImport } from '../../src/engine/cli/commands/import.js';
import { Output } from '../../src/engine/cli/output.js';
import { planImport } from '../../src/engine/enrollment/sources.js';
import { Station } from '../../src/engine/station.js';
import { StaticKeyProvider } from '../../src/engine/store/keys.js';
import { face, tempDir } from '../helpers/paths.js';

describe('station import reads the embedding gallery once', () => {
  const dir = tempDir('import-gallery-');
  const keyProvider = new StaticKeyProvider(randomBytes(32), 'test key');
  let station: Station | undefined;
  afterAll(async () => {
    await station?.close();
  });

  it('four classes, one gallery read; a later class of the same import is still checked against an earlier one', async () => {
    // Four people, plus Obama again under a second class id: the duplicate check must see class 1001,
    // queued earlier in this very import.
    const classes: Record<string, string> = { '1001': 'obama.jpg', '1002': 'biden.jpg', '1003': 'rose_leslie1.jpg', '1004': 'obama2.jpg' };
    for (const [classId, photo] of Object.entries(classes)) {
      fs.mkdirSync(path.join(dir, 'source', classId), { recursive: true });
      fs.copyFileSync(face(photo), path.join(dir, 'source', classId, photo));
    }
    station = await Station.open({ dataDir: path.join(dir, 'data'), keyProvider, env: {} });
    const loads = vi.spyOn(station.store, 'galleryEmbeddings');
    const context = { dataDir: path.join(dir, 'data'), json: true, debug: false, newQueue: false, out: new Output(true, false), keyProvider, env: {} };
    const summary = await runImport(context, station, path.join(dir, 'source'), await planImport(path.join(dir, 'source')), false);
    expect(loads).toHaveBeenCalledTimes(1);
    expect(summary.classes.map((entry) => [entry.classId, entry.result])).toEqual([
      ['1001', 'queued'],
      ['1002', 'queued'],
      ['1003', 'queued'],
      ['1004', 'rejected'],
    ]);
    expect(summary.classes[3]!.reason).toMatch(/1001/);
  }, 240_000);
});
