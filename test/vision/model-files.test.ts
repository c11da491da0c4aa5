import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ModelManifest, MODEL_ROLES, loadManifest, modelFilePath, verifyModels } from '../../src/engine/models/manifest.js';
import { cosine, createVisionEngine } from '../../src/engine/vision/index.js';
import { VERIFIED_CACHE, resolveModelFiles } from '../../src/engine/vision/model-files.js';
import { startInstalledModelsEarly, takeEarlyModels } from '../../src/engine/vision/models-start.js';
import { releaseSessions } from '../../src/engine/vision/sessions.js';
import { rewritePRelu } from '../../src/engine/vision/prelu-rewrite.js';
import { readFace, tempDir } from './helpers.js';

/**
 * The remembered model check (a tampered file is still refused, without hashing every start) and the PRelu
 * rewrite (the rewritten graphs give the shipped graph's numbers on real photos).
 */
const shipped = loadManifest();
let dir: string;
let manifest: ModelManifest;

beforeAll(() => {
  dir = tempDir('models');
  for (const role of MODEL_ROLES) fs.copyFileSync(modelFilePath(shipped, role), path.join(dir, path.basename(modelFilePath(shipped, role))));
  const raw = JSON.parse(fs.readFileSync(shipped.path, 'utf8'));
  for (const role of MODEL_ROLES) raw.models[role].file = path.basename(modelFilePath(shipped, role));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(raw));
  manifest = loadManifest(path.join(dir, 'manifest.json'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const flipByte = (file: string, at: number): void => {
  const fd = fs.openSync(file, 'r+');
  const one = Buffer.alloc(1);
  fs.readSync(fd, one, 0, 1, at);
  one[0] = one[0]! ^ 0xff;
  fs.writeSync(fd, one, 0, 1, at);
  fs.closeSync(fd);
};

describe('remembered model verification', () => {
  it('hashes on first start, remembers, and loads PRelu models from a verified rewritten copy', () => {
    const first = resolveModelFiles(manifest);
    expect(MODEL_ROLES.map((r) => first[r].verification)).toEqual(MODEL_ROLES.map(() => 'hashed'));
    expect(fs.existsSync(path.join(dir, VERIFIED_CACHE))).toBe(true);
    for (const role of ['embedding', 'liveness'] as const) {
      expect(typeof first[role].load).toBe('string');
      expect(first[role].load).toMatch(/\.cache[\\/]prelu-v\d+-[0-9a-f]{64}\.onnx$/);
    }
    for (const role of ['detector', 'landmarks', 'pose', 'eyes'] as const) expect(first[role].load).toBe(first[role].file);

    const second = resolveModelFiles(manifest);
    expect(MODEL_ROLES.map((r) => second[r].verification)).toEqual(MODEL_ROLES.map(() => 'cached'));
  });

  it('refuses a file changed in place with its size, mtime and inode kept: only its ctime tells', async () => {
    const file = modelFilePath(manifest, 'eyes');
    // A whole-second mtime survives utimes exactly (a Date or a fractional number loses the sub-millisecond
    // part, and then the mtime alone would give the change away).
    const mtimeS = 1_700_000_000;
    fs.utimesSync(file, mtimeS, mtimeS);
    expect(resolveModelFiles(manifest).eyes.verification).toBe('hashed');
    const remembered = fs.statSync(file, { bigint: true });
    expect(remembered.mtimeNs).toBe(BigInt(mtimeS) * 1_000_000_000n);

    flipByte(file, 1000);
    fs.utimesSync(file, mtimeS, mtimeS);
    // The kernel stamps ctime at its clock tick: touch again until the new ctime is visibly later.
    const later = () => fs.statSync(file, { bigint: true }).ctimeNs > remembered.ctimeNs;
    while (!later()) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      fs.utimesSync(file, mtimeS, mtimeS);
    }
    const edited = fs.statSync(file, { bigint: true });
    expect({ size: edited.size, mtimeNs: edited.mtimeNs, ino: edited.ino }).toEqual({ size: remembered.size, mtimeNs: remembered.mtimeNs, ino: remembered.ino });
    expect(edited.ctimeNs).toBeGreaterThan(remembered.ctimeNs);

    expect(() => resolveModelFiles(manifest)).toThrow(expect.objectContaining({ code: 'MODEL_CHECKSUM', message: expect.stringContaining('fr_eye.onnx') }));
    // The full check (station doctor) agrees.
    expect(verifyModels(manifest).find((c) => c.role === 'eyes')!.ok).toBe(false);
    flipByte(file, 1000);
    expect(resolveModelFiles(manifest).eyes.verification).toBe('hashed');
  });

  it('hashes again a file whose ctime alone changed (chmod), and finds it unchanged', async () => {
    const file = modelFilePath(manifest, 'pose');
    expect(resolveModelFiles(manifest).pose.verification).toBe('cached');
    const before = fs.statSync(file, { bigint: true });
    // chmod to the same mode still stamps ctime (at the kernel's clock tick: repeat until it moved).
    for (fs.chmodSync(file, 0o644); fs.statSync(file, { bigint: true }).ctimeNs === before.ctimeNs; fs.chmodSync(file, 0o644)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const after = fs.statSync(file, { bigint: true });
    expect({ size: after.size, mtimeNs: after.mtimeNs, ino: after.ino }).toEqual({ size: before.size, mtimeNs: before.mtimeNs, ino: before.ino });
    expect(resolveModelFiles(manifest).pose.verification).toBe('hashed');
    expect(resolveModelFiles(manifest).pose.verification).toBe('cached');
  });

  it('does not trust a rewritten copy that was changed: it is written again from the verified model', () => {
    const copy = resolveModelFiles(manifest).liveness.load as string;
    flipByte(copy, 5000);
    const again = resolveModelFiles(manifest).liveness;
    expect(again.load).toBe(copy);
    const expected = rewritePRelu(fs.readFileSync(modelFilePath(manifest, 'liveness'))).bytes;
    expect(Buffer.compare(fs.readFileSync(copy), Buffer.from(expected))).toBe(0);
  });

  it('names a missing model file', () => {
    const file = modelFilePath(manifest, 'pose');
    const moved = `${file}.away`;
    fs.renameSync(file, moved);
    try {
      expect(() => resolveModelFiles(manifest)).toThrow(expect.objectContaining({ code: 'MODEL_MISSING', message: expect.stringContaining('fr_pose.onnx missing') }));
    } finally {
      fs.renameSync(moved, file);
    }
  });

  it('an engine started from the remembered files gives the same embedding as one from the shipped files', async () => {
    const bytes = readFace('obama.jpg');
    const a = await createVisionEngine({ manifest });
    const b = await createVisionEngine({ manifest: shipped, skipVerify: true });
    try {
      const ra = await a.analyzeStill(bytes);
      const rb = await b.analyzeStill(bytes);
      expect(ra.primary).toBe(0);
      expect(cosine(ra.embeddingVector!, rb.embeddingVector!)).toBeCloseTo(1, 6);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("the app's engine start checks the files once, remembered: unchanged files are not read, a changed one is refused for a reinstall", async () => {
    const saved = process.env.STATION_MODEL_MANIFEST;
    process.env.STATION_MODEL_MANIFEST = manifest.path;
    const modelFiles = new Set(MODEL_ROLES.map((role) => path.resolve(modelFilePath(manifest, role))));
    try {
      resolveModelFiles(manifest);
      const read = vi.spyOn(fs, 'readFileSync');
      const open = vi.spyOn(fs, 'openSync');
      startInstalledModelsEarly();
      const sessions = takeEarlyModels();
      const touched = [...read.mock.calls, ...open.mock.calls].map(([file]) => file).filter((file) => typeof file === 'string' && modelFiles.has(path.resolve(file)));
      expect(touched).toEqual([]);
      vi.restoreAllMocks();
      await releaseSessions(await sessions!);

      const file = modelFilePath(manifest, 'eyes');
      flipByte(file, 4000);
      try {
        expect(() => startInstalledModelsEarly()).toThrow(expect.objectContaining({ code: 'MODEL_CHECKSUM', message: expect.stringMatching(/fr_eye\.onnx \(sha256 does not match\).*Reinstall Enrollment Station/) }));
        expect(takeEarlyModels()).toBeNull();
      } finally {
        flipByte(file, 4000);
      }
    } finally {
      vi.restoreAllMocks();
      if (saved === undefined) delete process.env.STATION_MODEL_MANIFEST;
      else process.env.STATION_MODEL_MANIFEST = saved;
    }
  });
});

describe('PRelu rewrite', () => {
  it('rewrites every PRelu of the embedding and liveness models and leaves the others as they are', () => {
    for (const role of MODEL_ROLES) {
      const original = fs.readFileSync(modelFilePath(shipped, role));
      const result = rewritePRelu(original);
      if (role === 'embedding' || role === 'liveness') {
        expect(result.rewritten).toBeGreaterThan(0);
        expect(result.kept).toBe(0);
      } else {
        expect(result.rewritten).toBe(0);
        expect(result.bytes).toBe(original);
      }
    }
  });

  it.each(['embedding', 'liveness'] as const)('%s: both rewritten forms give the outputs of the shipped graph on a real photo', async (role) => {
    const [name, dims] = Object.entries(shipped.models[role].inputs)[0]!;
    const [, , h, w] = dims as [number, number, number, number];
    // A real face photo resized to the model's input, planar RGB with this model's normalisation.
    const { data } = await sharp(readFace('rose_leslie1.jpg')).resize(w, h, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const planar = new Float32Array(3 * w * h);
    for (let c = 0; c < 3; c++) for (let i = 0; i < w * h; i++) planar[c * w * h + i] = role === 'embedding' ? (data[i * 3 + c]! - 127) / 128 : data[i * 3 + c]!;
    const bytes = fs.readFileSync(modelFilePath(shipped, role));
    const sessions = {
      shipped: await ort.InferenceSession.create(bytes),
      exact: await ort.InferenceSession.create(rewritePRelu(bytes, 'exact').bytes),
      conv: await ort.InferenceSession.create(rewritePRelu(bytes, 'conv').bytes),
    };
    try {
      const out: Record<string, Float32Array> = {};
      for (const [form, session] of Object.entries(sessions)) {
        const result = await session.run({ [name]: new ort.Tensor('float32', planar.slice(), dims) });
        out[form] = result[session.outputNames[0]!]!.data as Float32Array;
      }
      // 'exact': bit for bit. 'conv': equal up to float rounding (relative to the output's largest value).
      expect(Array.from(out.exact!)).toEqual(Array.from(out.shipped!));
      const scale = Math.max(...Array.from(out.shipped!, Math.abs));
      const worst = Math.max(...Array.from(out.conv!, (v, i) => Math.abs(v - out.shipped![i]!)));
      expect(worst / scale).toBeLessThan(1e-5);
    } finally {
      for (const session of Object.values(sessions)) await session.release();
    }
  });
});
