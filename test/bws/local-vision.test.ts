import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BwsClient } from '../../src/engine/bws/client.js';
import { describeJobErrors } from '../../src/engine/bws/errors.js';
import { createVisionEngine } from '../../src/engine/vision/index.js';
import type { VisionEngine } from '../../src/engine/vision/types.js';
import { type LocalFixture, face, startFixture } from './helpers.js';

const PNG_SIGNATURE = '89504e470d0a1a0a';
const OBAMA = '1001';
const BIDEN = '1002';

describe('local BWS service with the real vision pipeline on the shared photos', () => {
  let vision: VisionEngine;
  let fixture: LocalFixture;
  let client: BwsClient;

  beforeAll(async () => {
    sharp.cache(false);
    vision = await createVisionEngine();
    fixture = await startFixture({ vision });
    client = fixture.client();
  });
  afterAll(async () => {
    await fixture?.close();
    await vision?.close();
  });

  it('creates a template, then adds to it (feature vectors accumulate)', async () => {
    const first = await client.enroll(OBAMA, [face('obama.jpg')], { reference: 'test-1' });
    expect(first.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    expect(first.response.enrolled_images).toBe(1);
    expect(first.response.errors).toEqual([]);
    const properties = first.response.image_properties[0]!;
    expect(properties.faces.length).toBeGreaterThanOrEqual(1);
    const eyes = properties.faces[0]!;
    // The subject's own left eye has the larger x on an upright frontal face.
    expect(eyes.left_eye!.x).toBeGreaterThan(eyes.right_eye!.x);
    expect(properties.quality_assessments.map((assessment) => assessment.check)).toContain('ImageSize');
    expect(first.response.template_status).toMatchObject({ classId: OBAMA, available: true, feature_vectors: 1, thumbnails_stored: 1, thumbnails: [] });

    const second = await client.enroll(OBAMA, [face('obama2.jpg'), face('obama-720p.jpg')]);
    expect(second.response.performed_action).toBe('TEMPLATE_UPDATED');
    expect(second.response.enrolled_images).toBe(2);
    expect(second.response.template_status?.feature_vectors).toBe(3);
    expect(second.response.image_properties).toHaveLength(2);
  });

  it('an image with no face gives FaceNotFound and ENROLLMENT_FAILED', async () => {
    const landscape = await sharp({ create: { width: 960, height: 720, channels: 3, background: '#5a7fa8' } })
      .composite([{ input: await sharp({ create: { width: 960, height: 240, channels: 3, background: '#3d6b2f' } }).png().toBuffer(), top: 480, left: 0 }])
      .png()
      .toBuffer();
    const result = await client.enroll('2001', [landscape]);
    expect(result.response.performed_action).toBe('ENROLLMENT_FAILED');
    expect(result.response.errors.map((error) => error.error_code)).toEqual(['FaceNotFound']);
    expect(result.response.template_status?.available).toBe(false);
    expect(describeJobErrors(result.response.errors)).toContain('no usable face');
  });

  it('an image with two faces gives MultipleFacesFound; the usable image of the same request is still enrolled', async () => {
    const failed = await client.enroll('2002', [face('two_people.jpg')]);
    expect(failed.response.performed_action).toBe('ENROLLMENT_FAILED');
    expect(failed.response.errors.map((error) => error.error_code)).toEqual(['MultipleFacesFound']);

    const mixed = await client.enroll('2002', [face('two_people.jpg'), face('rose_leslie1.jpg')]);
    expect(mixed.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    expect(mixed.response.enrolled_images).toBe(1);
    expect(mixed.response.errors.map((error) => error.error_code)).toEqual(['MultipleFacesFound']);
    expect(mixed.response.image_properties).toHaveLength(2);
  });

  it('returns PNG thumbnails that contain the enrolled face', async () => {
    const status = await client.getTemplateStatus(OBAMA, { thumbnails: true });
    expect(status.response.thumbnails).toHaveLength(3);
    expect(status.response.thumbnails_stored).toBe(3);
    const reference = await vision.analyzeStill(face('obama4.jpg'));
    for (const thumbnail of status.response.thumbnails) {
      expect(Buffer.from(thumbnail.image).subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
      expect(Number(thumbnail.enrolled?.seconds)).toBeGreaterThan(1_700_000_000);
      const analysis = await vision.analyzeStill(thumbnail.image);
      // A thumbnail is a crop around the one enrolled face.
      expect(analysis.faces).toHaveLength(1);
      expect(analysis.primary).toBe(0);
      expect(analysis.embeddingVector).toBeInstanceOf(Float32Array);
      expect(analysis.embeddingVector!.length).toBe(reference.embeddingVector!.length);
      // The face in the thumbnail is the enrolled person's, not just any face.
      let dot = 0;
      for (let i = 0; i < analysis.embeddingVector!.length; i += 1) dot += analysis.embeddingVector![i]! * reference.embeddingVector![i]!;
      expect(dot).toBeGreaterThan(0.4);
    }
  });

  it('verifies the same person and rejects another', async () => {
    const same = await client.verify(OBAMA, face('obama4.jpg'));
    const other = await client.verify(OBAMA, face('biden.jpg'));
    expect(same.response.verified).toBe(true);
    expect(other.response.verified).toBe(false);
    for (const score of [same.response.score, other.response.score]) {
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(same.response.score).toBeGreaterThan(other.response.score);
    const missing = await client.verify('999999', face('obama4.jpg')).catch((error: unknown) => error);
    expect(missing).toMatchObject({ grpcCodeName: 'NOT_FOUND' });
  });

  it('searches with cosine scores in 0..1, best match first, and filters by tags', async () => {
    await client.enroll(BIDEN, [face('biden.jpg')]);
    await client.setTemplateTags(BIDEN, ['politician']);
    await client.setTemplateTags(OBAMA, ['politician', 'president']);
    const result = await client.search([face('obama3.jpg'), face('biden2.jpg')]);
    expect(result.response.result).toHaveLength(2);
    expect(result.response.result[0]!.matches[0]!.classId).toBe(OBAMA);
    expect(result.response.result[1]!.matches[0]!.classId).toBe(BIDEN);
    for (const match of result.response.result.flatMap((entry) => entry.matches)) {
      expect(match.score).toBeGreaterThanOrEqual(0);
      expect(match.score).toBeLessThanOrEqual(1);
    }
    const presidents = await client.search([face('biden2.jpg')], { tags: ['president'] });
    expect(presidents.response.result[0]!.matches.map((match) => match.classId)).toEqual([OBAMA]);
    const top = await client.search([face('biden2.jpg')], { topMatches: true });
    expect(top.response.result[0]!.matches.map((match) => match.classId)).toEqual([BIDEN]);
  });
});
