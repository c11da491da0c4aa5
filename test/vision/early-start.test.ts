import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/engine/cli/main.js';
import { MODEL_ROLES, loadManifest, modelFilePath } from '../../src/engine/models/manifest.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/vision/config.js';
import { createVisionEngine, startVisionEngine } from '../../src/engine/vision/index.js';
import { startModelsEarly, takeEarlyModels } from '../../src/engine/vision/models-start.js';
import { type Sessions, createSessions, releaseSessions } from '../../src/engine/vision/sessions.js';
import { analyzeStill } from '../../src/engine/vision/still.js';
import type { StageTimings } from '../../src/engine/vision/types.js';
import { StationError } from '../../src/shared/errors.js';
import { analyzeOutputSchema } from '../../src/shared/schemas.js';
import { facesDir, readFace, tempDir } from './helpers.js';

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

  it('a still given while the models load is decoded and its detector input cut before they are there', async () => {
    const shipped = loadManifest();
    let hand!: (sessions: Sessions) => void;
    const loading = new Promise<Sessions>((resolve) => {
      hand = resolve;
    });
    const timings: StageTimings = {};
    const pending = analyzeStill(loading, DEFAULT_THRESHOLDS, readFace('obama.jpg'), { timings, landmarks: true });
    // Nothing has handed the sessions over yet: the decode and the detector's input must finish without them.
    await vi.waitFor(() => expect(timings.detectInput).toBeTypeOf('number'), { timeout: 30_000, interval: 20 });
    expect(timings.detect).toBeUndefined();
    const sessions = await createSessions(shipped, 2);
    try {
      hand(sessions);
      const early = await pending;
      const later = await analyzeStill(sessions, DEFAULT_THRESHOLDS, readFace('obama.jpg'), { landmarks: true });
      expect(early.ok).toBe(true);
      expect(early.faces).toHaveLength(1);
      expect(early).toEqual(later);
    } finally {
      await releaseSessions(sessions);
    }
  });

  it('models that cannot load are the error of every analysis started meanwhile, even of a still that is no image', async () => {
    const broken = Promise.reject(new StationError('MODEL_CHECKSUM', 'Model files not ready: fr_eye.onnx sha256 mismatch.'));
    broken.catch(() => undefined); // awaited by each analysis only after its decode
    await expect(analyzeStill(broken, DEFAULT_THRESHOLDS, Buffer.from('not an image at all'))).rejects.toMatchObject({ code: 'MODEL_CHECKSUM' });
    await expect(analyzeStill(broken, DEFAULT_THRESHOLDS, readFace('obama.jpg'))).rejects.toMatchObject({ code: 'MODEL_CHECKSUM' });
  });

  it('an engine started before its models are checked refuses a tampered model in `ready` and in each analysis', async () => {
    const shipped = loadManifest();
    const dir = tempDir('tampered');
    try {
      const raw = JSON.parse(fs.readFileSync(shipped.path, 'utf8'));
      for (const role of MODEL_ROLES) {
        const file = path.basename(modelFilePath(shipped, role));
        fs.copyFileSync(modelFilePath(shipped, role), path.join(dir, file));
        raw.models[role].file = file;
      }
      fs.appendFileSync(path.join(dir, raw.models.pose.file), Buffer.from([0]));
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(raw));
      const engine = startVisionEngine({ manifest: loadManifest(path.join(dir, 'manifest.json')) });
      const analysis = engine.analyzeStill(readFace('obama.jpg'));
      await expect(engine.ready).rejects.toMatchObject({ code: 'MODEL_CHECKSUM', message: expect.stringContaining('fr_pose.onnx') });
      await expect(analysis).rejects.toMatchObject({ code: 'MODEL_CHECKSUM' });
      await expect(engine.analyzeStill(Buffer.alloc(0))).rejects.toMatchObject({ code: 'MODEL_CHECKSUM' });
      await engine.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
