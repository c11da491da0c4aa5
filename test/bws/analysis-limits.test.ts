import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwsCallError } from '../../src/engine/bws/errors.js';
import { createVisionEngine } from '../../src/engine/vision/index.js';
import type { VisionEngine } from '../../src/engine/vision/types.js';
import { type LocalFixture, face, startFixture } from './helpers.js';

/** A plain grey PNG of width x height: a few hundred KB on the wire, width*height pixels once decoded. */
function plainPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png({ compressionLevel: 9 }).toBuffer();
}

describe('analysis limits of the local service (real vision pipeline, real sockets)', () => {
  let vision: VisionEngine;
  let fixture: LocalFixture;

  beforeAll(async () => {
    vision = await createVisionEngine();
    // One analysis at a time and one waiting: a burst of six must overflow the queue.
    fixture = await startFixture({ vision, maxConcurrentAnalyses: 1, maxQueuedAnalyses: 1 });
  }, 120_000);
  afterAll(async () => {
    await fixture?.close();
    await vision?.close();
  });

  it('refuses a request whose images together exceed 100 MP before decoding them, though each is under the 50 MP image limit', async () => {
    const image = await plainPng(6000, 6000);
    const refused = await fixture.client().enroll('7', [image, image, image]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BwsCallError);
    expect(refused).toMatchObject({ grpcCodeName: 'INVALID_ARGUMENT' });
    expect((refused as BwsCallError).message).toMatch(/declare 108\.0 MP together; the service analyses at most 100\.0 MP per request/);
    expect((await fixture.client().getTemplateStatus('7')).response.available).toBe(false);
  }, 60_000);

  it('answers RESOURCE_EXHAUSTED to a burst past the queue limit while the admitted requests succeed', async () => {
    const client = fixture.client();
    const photo = face('obama.jpg');
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        client.enroll(String(200 + index), [photo]).then(
          (result) => result.response.performed_action,
          (error: unknown) => (error instanceof BwsCallError ? error.grpcCodeName : String(error)),
        ),
      ),
    );
    const created = outcomes.filter((outcome) => outcome === 'NEW_TEMPLATE_CREATED').length;
    const exhausted = outcomes.filter((outcome) => outcome === 'RESOURCE_EXHAUSTED').length;
    // Nothing else may happen: every request is either analysed and enrolled or refused as busy.
    expect(created + exhausted).toBe(6);
    // The running one and the waiting one get through; the six arrive while the first analysis still runs.
    expect(created).toBeGreaterThanOrEqual(2);
    expect(exhausted).toBeGreaterThanOrEqual(1);
    // After the burst the service analyses again.
    expect((await client.enroll('299', [photo])).response.performed_action).toBe('NEW_TEMPLATE_CREATED');
  }, 120_000);
});
