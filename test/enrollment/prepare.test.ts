import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEnrollment, type GalleryEntry } from '../../src/engine/enrollment/prepare.js';
import { createVisionEngine } from '../../src/engine/vision/index.js';
import type { VisionEngine } from '../../src/engine/vision/types.js';
import { face } from '../helpers/paths.js';

/** Enrollment preparation with the real models on the shared photos. */
describe('prepareEnrollment', () => {
  let vision: VisionEngine;
  const read = (name: string) => ({ name, bytes: fs.readFileSync(face(name)) });
  const base = { classId: '1', gallery: [] as GalleryEntry[], matchThreshold: 0.4, profile: 'enrollment' as const, force: false };

  beforeAll(async () => {
    vision = await createVisionEngine();
  });
  afterAll(async () => {
    await vision.close();
  });

  it('crops each accepted photo to a 3:4 PNG portrait of at most 1200x1600 around the face', async () => {
    const result = await prepareEnrollment({ ...base, vision, images: [read('obama-1080p.jpg'), read('obama.jpg')] });
    expect(result.refusal).toBeNull();
    expect(result.accepted).toHaveLength(2);
    for (const image of result.accepted) {
      const meta = await sharp(image.png).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width! / meta.height!).toBeCloseTo(0.75, 2);
      expect(meta.width!).toBeLessThanOrEqual(1200);
      expect(image.embedding).toHaveLength(512);
      expect(image.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
      // The crop still shows one face, as BWS needs.
      const again = await vision.analyzeStill(image.png, { embedding: false });
      expect(again.faces).toHaveLength(1);
    }
  });

  it('shrinks every crop until the whole request fits the size budget', async () => {
    const images = [read('obama.jpg'), read('obama2.jpg'), read('obama3.jpg')];
    const roomy = await prepareEnrollment({ ...base, vision, images });
    const roomyTotal = roomy.accepted.reduce((sum, image) => sum + image.png.length, 0);
    const budget = Math.floor(roomyTotal / 3);
    const tight = await prepareEnrollment({ ...base, vision, images, maxRequestBytes: budget });
    expect(tight.refusal).toBeNull();
    const tightTotal = tight.accepted.reduce((sum, image) => sum + image.png.length, 0);
    expect(tightTotal).toBeLessThanOrEqual(budget);
    const widths = await Promise.all(tight.accepted.map(async (image) => (await sharp(image.png).metadata()).width!));
    const roomyWidths = await Promise.all(roomy.accepted.map(async (image) => (await sharp(image.png).metadata()).width!));
    widths.forEach((width, index) => expect(width).toBeLessThan(roomyWidths[index]!));
  });

  it('refuses a set that mixes people, and names the pair', async () => {
    const result = await prepareEnrollment({ ...base, vision, images: [read('obama.jpg'), read('rose_leslie1.jpg')] });
    expect(result.refusal?.code).toBe('DIFFERENT_PEOPLE');
    expect(result.refusal?.message).toMatch(/obama\.jpg and rose_leslie1\.jpg/);
    expect(result.accepted).toHaveLength(0);
  });

  it('refuses a face already in the gallery under another class id, and accepts it with force (with a warning)', async () => {
    const first = await prepareEnrollment({ ...base, vision, images: [read('biden.jpg')] });
    const gallery: GalleryEntry[] = [{ classId: '900', jobId: 'j', embedding: first.accepted[0]!.embedding }];
    const refused = await prepareEnrollment({ ...base, vision, classId: '901', gallery, images: [read('biden2.jpg')] });
    expect(refused.refusal?.code).toBe('DUPLICATE_FACE');
    expect(refused.refusal?.message).toMatch(/class 900/);
    // The matching class id as data, so the app can say "looks like class 900" in the operator's language.
    expect(refused.similarTo).toEqual({ classId: '900', similarity: expect.any(Number) });
    expect(refused.similarTo!.similarity).toBeGreaterThanOrEqual(base.matchThreshold);
    const sameClass = await prepareEnrollment({ ...base, vision, classId: '900', gallery, images: [read('biden2.jpg')] });
    expect(sameClass.refusal).toBeNull();
    expect(sameClass.similarTo).toBeNull();
    const forced = await prepareEnrollment({ ...base, vision, classId: '901', gallery, force: true, images: [read('biden2.jpg')] });
    expect(forced.refusal).toBeNull();
    expect(forced.warnings.join(' ')).toMatch(/looks like class 900/);
    expect(forced.similarTo?.classId).toBe('900');
  });

  it('enrolls a photo given twice only once', async () => {
    const result = await prepareEnrollment({ ...base, vision, images: [read('obama.jpg'), { ...read('obama.jpg'), name: 'copy.jpg' }] });
    expect(result.accepted.map((image) => image.name)).toEqual(['obama.jpg']);
    expect(result.rejected).toEqual([{ name: 'copy.jpg', reasons: ['The same photo as obama.jpg: each photo is enrolled once.'] }]);
  });

  it('says why nothing is acceptable: no face, and an unreadable file', async () => {
    const blank = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#7a8a9a' } }).png().toBuffer();
    const result = await prepareEnrollment({ ...base, vision, images: [{ name: 'wall.png', bytes: blank }, { name: 'broken.jpg', bytes: Buffer.from('not a jpeg') }] });
    expect(result.refusal?.code).toBe('NO_ACCEPTABLE_IMAGE');
    expect(result.rejected.map((image) => image.name)).toEqual(['wall.png', 'broken.jpg']);
    expect(result.rejected[0]!.reasons.join(' ')).toMatch(/face/i);
    expect(result.rejected[1]!.reasons.join(' ').length).toBeGreaterThan(10);
  });
});
