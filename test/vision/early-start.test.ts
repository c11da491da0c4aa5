import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/engine/cli/main.js';
import { createVisionEngine } from '../../src/engine/vision/index.js';
import { startModelsEarly, takeEarlyModels } from '../../src/engine/vision/models-start.js';
import { analyzeOutputSchema } from '../../src/shared/schemas.js';
import { facesDir, readFace } from './helpers.js';

describe('vision engine start-up', () => {
  it('models started early are taken by the next engine with default options, once, and they work', async () => {
    startModelsEarly();
    startModelsEarly(); // idempotent: still one start
    const engine = await createVisionEngine();
    try {
      expect(takeEarlyModels()).toBeNull();
      const result = await engine.analyzeStill(readFace('obama.jpg'));
      expect(result.ok).toBe(true);
      expect(result.faces).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });

  it('engines with their own model options never take the early models', async () => {
    startModelsEarly();
    const own = await createVisionEngine({ threads: 1 });
    await own.close();
    const early = takeEarlyModels();
    expect(early).not.toBeNull();
    const { releaseSessions } = await import('../../src/engine/vision/sessions.js');
    await releaseSessions(await early!);
  });

  it('an early start that fails reports its coded error where the engine is created', async () => {
    const saved = process.env.STATION_MODEL_MANIFEST;
    process.env.STATION_MODEL_MANIFEST = path.join(facesDir, 'no-such-manifest.json');
    try {
      startModelsEarly();
    } finally {
      if (saved === undefined) delete process.env.STATION_MODEL_MANIFEST;
      else process.env.STATION_MODEL_MANIFEST = saved;
    }
    await expect(createVisionEngine()).rejects.toMatchObject({ code: 'MODEL_MANIFEST' });
  });

  it('station analyze, two photos at a time, prints the results in the order the files were given', async () => {
    let stdout = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    const writeErr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const files = ['two_people.jpg', 'missing.jpg', 'obama-240p.jpg', 'biden.jpg', 'obama_small.jpg'];
    try {
      await (await buildProgram()).parseAsync(['node', 'station', 'analyze', '--json', ...files.map((file) => path.join(facesDir, file))]);
    } finally {
      write.mockRestore();
      writeErr.mockRestore();
    }
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
    const doc = analyzeOutputSchema.parse(JSON.parse(stdout));
    expect(doc.results.map((result) => [result.file, result.ok])).toEqual(files.map((file) => [file, file !== 'missing.jpg']));
    expect(doc.results[1]!.error?.code).toBe('IMAGE_NOT_FOUND');
  });
});
