import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QualityCheck } from '../../src/shared/schemas.js';
import { type StillAnalysis, type VisionEngine, createVisionEngine } from '../../src/engine/vision/index.js';
import { readFace } from './helpers.js';

/**
 * Degraded copies of a shared photo prove the image-quality checks: blur fails sharpness, darkening and
 * washing out fail the exposure checks, a half shadow fails illumination uniformity, and in each case every
 * other quality measure and every gating check keeps its verdict. The model-score checks (liveness, eyes
 * open) are record-only and left out of the comparison; they react to any edit.
 */
const RECORD_ONLY = new Set(['liveness', 'eyesOpen']);
// Exposure in the ISO sense: mean level, clipping at either end, and the tonal range left.
const EXPOSURE = new Set(['luminanceMean', 'underExposurePrevention', 'overExposurePrevention', 'dynamicRange']);

let engine: VisionEngine;
const base = new Map<string, StillAnalysis>();

beforeAll(async () => {
  engine = await createVisionEngine();
  for (const name of ['obama.jpg', 'obama2.jpg']) base.set(name, await engine.analyzeStill(readFace(name), { profile: 'enrollment' }));
});
afterAll(() => engine?.close());

function newlyFailed(before: StillAnalysis, after: StillAnalysis): string[] {
  const was = new Map(before.assessments.map((a) => [a.check, a]));
  return after.assessments
    .filter((a: QualityCheck) => !RECORD_ONLY.has(a.check) && !a.pass && was.get(a.check)?.pass !== false)
    .filter((a) => a.gating || ['sharpness', 'illuminationUniformity', ...EXPOSURE].includes(a.check))
    .map((a) => a.check);
}

async function degrade(name: string, edit: (image: Sharp, ied: number, eyeMidX: number) => Promise<Sharp> | Sharp): Promise<StillAnalysis> {
  const original = base.get(name)!;
  const face = original.faces[original.primary!]!;
  const ied = Math.hypot(face.leftEye.x - face.rightEye.x, face.leftEye.y - face.rightEye.y);
  const edited = await (await edit(sharp(readFace(name)), ied, (face.leftEye.x + face.rightEye.x) / 2)).jpeg({ quality: 95 }).toBuffer();
  return engine.analyzeStill(edited, { profile: 'enrollment' });
}

describe.each(['obama.jpg', 'obama2.jpg'])('degraded copies of %s', (name) => {
  it('starts accepted with every image-quality check passing', () => {
    const original = base.get(name)!;
    expect(original.accepted).toBe(true);
    for (const id of ['sharpness', 'illuminationUniformity', ...EXPOSURE]) expect(original.assessments.find((a) => a.check === id)!.pass).toBe(true);
  });

  it('blur: only sharpness fails', async () => {
    const blurred = await degrade(name, (image, ied) => image.blur(ied / 25));
    expect(newlyFailed(base.get(name)!, blurred)).toEqual(['sharpness']);
    expect(blurred.accepted).toBe(false);
  });

  it('darkened: only the exposure check fails (mean luminance)', async () => {
    const dark = await degrade(name, (image) => image.linear(0.22, 0));
    const failed = newlyFailed(base.get(name)!, dark);
    expect(failed).toContain('luminanceMean');
    expect(failed.every((id) => EXPOSURE.has(id))).toBe(true);
    expect(dark.accepted).toBe(false);
  });

  it('washed out (too bright, nothing clipped): only the exposure check fails', async () => {
    const bright = await degrade(name, (image) => image.linear(0.3, 185));
    const failed = newlyFailed(base.get(name)!, bright);
    expect(failed).toContain('luminanceMean');
    expect(failed.every((id) => EXPOSURE.has(id))).toBe(true);
  });

  it('overexposed (clipped highlights): only the exposure checks fail', async () => {
    const over = await degrade(name, (image) => image.linear(2.6, 0));
    const failed = newlyFailed(base.get(name)!, over);
    expect(failed).toContain('overExposurePrevention');
    expect(failed.every((id) => EXPOSURE.has(id))).toBe(true);
  });
});

// A hard shadow edge on a turned face (obama2.jpg, yaw 18) moves the pose model too, so this runs on the frontal photo.
describe('half shadow on the frontal photo', () => {
  const name = 'obama.jpg';
  it('half shadow: only illumination uniformity fails', async () => {
    const shadowed = await degrade(name, async (image, _ied, eyeMidX) => {
      const { width, height } = await image.metadata();
      const shade = await sharp({ create: { width: Math.round(eyeMidX), height: height!, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
      return sharp(await image.composite([{ input: shade, left: 0, top: 0 }]).toBuffer()).resize(width, height);
    });
    expect(newlyFailed(base.get(name)!, shadowed)).toEqual(['illuminationUniformity']);
  });
});
