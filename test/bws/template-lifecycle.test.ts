import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactTemplate, matchScore } from '../../src/engine/bws-local/index.js';
import { TEMPLATES_FILE } from '../../src/engine/bws-local/template-store.js';
import { createVisionEngine } from '../../src/engine/vision/index.js';
import type { VisionEngine } from '../../src/engine/vision/types.js';
import { dot, encoderManifest } from './encoders.js';
import { type Credentials, type LocalFixture, face, newCredentials, startFixture, tempDir } from './helpers.js';

const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex');

/** One data folder and key a service is restarted on (the templates survive, the encoder may change). */
interface Site {
  dataDir: string;
  dbKey: Buffer;
  credentials: Credentials;
}
const newSite = (): Site => ({ dataDir: tempDir('lifecycle-'), dbKey: randomBytes(32), credentials: newCredentials() });

describe('template lifecycle of the local BWS service (real gRPC, models, photos, SQLite)', () => {
  let v1: VisionEngine;
  let v2flip: VisionEngine;
  let v2same: VisionEngine;
  const running: LocalFixture[] = [];

  const serve = async (site: Site, vision: VisionEngine, options: Parameters<typeof startFixture>[0] = {}): Promise<LocalFixture> => {
    const fixture = await startFixture({ ...options, vision, dataDir: site.dataDir, dbKey: site.dbKey, credentials: site.credentials });
    running.push(fixture);
    return fixture;
  };
  const stop = async (fixture: LocalFixture): Promise<void> => {
    running.splice(running.indexOf(fixture), 1);
    await fixture.close();
  };

  beforeAll(async () => {
    sharp.cache(false);
    [v1, v2flip, v2same] = await Promise.all([
      createVisionEngine(),
      createVisionEngine({ manifest: encoderManifest({ encoderVersion: 2, flipAverage: true }) }),
      createVisionEngine({ manifest: encoderManifest({ encoderVersion: 2 }) }),
    ]);
  });
  afterAll(async () => {
    for (const fixture of running) await fixture.close();
    await Promise.all([v1?.close(), v2flip?.close(), v2same?.close()]);
  });

  it('new -> update under encoder 1, then after a restart under the flip-averaged encoder 2: TEMPLATE_UPGRADED from the thumbnails', async () => {
    expect([v1.encoderVersion, v2flip.encoderVersion]).toEqual([1, 2]);
    const site = newSite();
    const first = await serve(site, v1);
    const client = first.client();
    const created = await client.enroll('1001', [face('obama.jpg')]);
    expect(created.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    expect(created.metadata.headers.bcid).toBe('bws/1/1001');
    const updated = await client.enroll('1001', [face('obama2.jpg')]);
    expect(updated.response.performed_action).toBe('TEMPLATE_UPDATED');
    expect(updated.response.template_status).toMatchObject({ encoder_version: 1, feature_vectors: 2, thumbnails_stored: 2 });
    const before = first.service.handlers.store.features('1001');
    await stop(first);

    const second = await serve(site, v2flip);
    const upgraded = await second.client().enroll('1001', [face('obama3.jpg')]);
    expect(upgraded.response.performed_action).toBe('TEMPLATE_UPGRADED');
    expect(upgraded.response.enrolled_images).toBe(1);
    expect(upgraded.response.template_status).toMatchObject({ available: true, encoder_version: 2, feature_vectors: 3, thumbnails_stored: 3 });
    const after = second.service.handlers.store.features('1001');
    expect(after).toHaveLength(3);
    for (const [index, old] of before.entries()) {
      const now = after[index]!;
      // Same enrollment (time, thumbnail), vector recomputed: what encoder 2 makes of the stored thumbnail.
      expect(now.enrolledAt).toBe(old.enrolledAt);
      expect(now.thumbnail!.equals(old.thumbnail!)).toBe(true);
      expect(dot(now.vector!, old.vector!)).toBeLessThan(0.995);
      expect(dot(now.vector!, old.vector!)).toBeGreaterThan(0.6);
      const fromThumbnail = await v2flip.analyzeStill(old.thumbnail!);
      expect(dot(now.vector!, fromThumbnail.embeddingVector!)).toBeGreaterThan(0.99999);
    }
    // Now current: more images are an update again, and an empty request changes nothing.
    const again = await second.client().enroll('1001', []);
    expect(again.response).toMatchObject({ performed_action: 'NONE', enrolled_images: 0, errors: [] });
    expect(again.response.template_status).toMatchObject({ encoder_version: 2, feature_vectors: 3 });
  });

  it('an empty image list upgrades a template to a manifest copy that only raises encoderVersion, keeping the vector count', async () => {
    const site = newSite();
    const first = await serve(site, v1);
    await first.client().enroll('2001', [face('biden.jpg'), face('biden2.jpg')]);
    const before = first.service.handlers.store.features('2001');
    await stop(first);

    const second = await serve(site, v2same);
    const upgraded = await second.client().enroll('2001', []);
    expect(upgraded.response).toMatchObject({ performed_action: 'TEMPLATE_UPGRADED', enrolled_images: 0, errors: [] });
    expect(upgraded.response.template_status).toMatchObject({ encoder_version: 2, feature_vectors: 2, thumbnails_stored: 2 });
    const after = second.service.handlers.store.features('2001');
    expect(after.map((feature) => feature.enrolledAt)).toEqual(before.map((feature) => feature.enrolledAt));
    for (const [index, old] of before.entries()) {
      // The same model on the 256 px thumbnail instead of the original photo: close, but recomputed.
      expect(Buffer.from(after[index]!.vector!.buffer).equals(Buffer.from(old.vector!.buffer))).toBe(false);
      expect(dot(after[index]!.vector!, old.vector!)).toBeGreaterThan(0.8);
    }
  });

  it('a template enrolled in standard mode keeps no thumbnails and cannot be upgraded: the service says why and what to do', async () => {
    const site = newSite();
    const first = await serve(site, v1, { templateMode: 'standard' });
    const created = await first.client().enroll('3001', [face('rose_leslie1.jpg')]);
    expect(created.response.template_status).toMatchObject({ feature_vectors: 1, thumbnails_stored: 0 });
    await stop(first);

    const second = await serve(site, v2flip);
    const refused = await second.client().enroll('3001', [face('rose_leslie2.jpg')]).catch((error: unknown) => error);
    expect(refused).toMatchObject({ grpcCodeName: 'FAILED_PRECONDITION' });
    const details = (refused as { grpcDetails: string }).grpcDetails;
    expect(details).toContain('bws/1/3001');
    expect(details).toContain('no face thumbnails');
    expect(details).toContain('cannot be upgraded to encoder version 2');
    expect(details).toContain('Delete the template and enroll the person again');
    const none = await second.client().enroll('3001', []);
    expect(none.response.performed_action).toBe('NONE');
    expect(none.response.errors.map((error) => error.error_code)).toEqual(['TemplateNotUpgradable']);
    expect(none.response.template_status).toMatchObject({ available: true, encoder_version: 1, feature_vectors: 1 });
  });

  it('keeps the enhanced template sealed: neither the database file nor its rows show a thumbnail or a vector', async () => {
    for (const compactEncryption of [false, true]) {
      const site = newSite();
      const service = await serve(site, v1, { compactEncryption });
      await service.client().enroll('4001', [face('alex_lacamoire1.jpg'), face('alex_lacamoire2.jpg')]);
      const { store } = service.service.handlers;
      const features = store.features('4001');
      const thumbnails = features.map((feature) => feature.thumbnail!);
      const vectors = features.map((feature) => Buffer.from(feature.vector!.buffer, feature.vector!.byteOffset, 64));
      const compact = compactTemplate(features.map((feature) => feature.vector!))[0]!;
      const compactBytes = Buffer.from(compact.buffer, compact.byteOffset, 64);

      // Inside the (open, decrypted) database: sealed rows.
      const rows = store.db.prepare('SELECT sealed FROM enhanced_features').all() as Array<{ sealed: Buffer }>;
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.sealed.includes(PNG_SIGNATURE)).toBe(false);
        for (const vector of vectors) expect(row.sealed.includes(vector)).toBe(false);
        expect(row.sealed.includes(thumbnails[0]!.subarray(100, 164))).toBe(false);
      }
      const compactRow = store.db.prepare('SELECT sealed, data FROM compact_templates').get() as { sealed: number; data: Buffer };
      expect(compactRow.sealed).toBe(compactEncryption ? 1 : 0);
      // The plain index is the compact template itself; sealed, it is unreadable.
      expect(compactRow.data.includes(compactBytes)).toBe(!compactEncryption);

      // The file on disk (and its WAL): nothing readable at all.
      const onDisk = Buffer.concat([TEMPLATES_FILE, `${TEMPLATES_FILE}-wal`].map((file) => path.join(site.dataDir, file)).filter((file) => fs.existsSync(file)).map((file) => fs.readFileSync(file)));
      expect(onDisk.length).toBeGreaterThan(4096);
      expect(onDisk.includes(PNG_SIGNATURE)).toBe(false);
      expect(onDisk.includes(Buffer.from('4001'))).toBe(false);
      for (const vector of [...vectors, compactBytes]) expect(onDisk.includes(vector)).toBe(false);
    }
  });

  it('two partitions of one data folder never see each other', async () => {
    const site = newSite();
    const one = await serve(site, v1);
    const two = await serve(site, v1, { partition: 2 });
    await one.client().enroll('5001', [face('obama.jpg')]);
    await one.client().setTemplateTags('5001', ['staff']);

    const client = two.client();
    const status = await client.getTemplateStatus('5001');
    expect(status.response.available).toBe(false);
    expect(status.metadata.headers.bcid).toBe('bws/2/5001');
    expect(await client.verify('5001', face('obama2.jpg')).catch((error: unknown) => error)).toMatchObject({ grpcCodeName: 'NOT_FOUND' });
    expect(await client.deleteTemplate('5001').catch((error: unknown) => error)).toMatchObject({ grpcCodeName: 'NOT_FOUND' });
    expect(await client.setTemplateTags('5001', ['x']).catch((error: unknown) => error)).toMatchObject({ grpcCodeName: 'NOT_FOUND' });
    const search = await client.search([face('obama2.jpg')]);
    expect(search.response.result[0]!.matches).toEqual([]);

    const own = await client.enroll('5001', [face('biden.jpg')]);
    expect(own.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    const first = await one.client().getTemplateStatus('5001');
    expect(first.response).toMatchObject({ available: true, feature_vectors: 1, tags: ['staff'] });
    expect(first.metadata.headers.bcid).toBe('bws/1/5001');
    // Each partition finds its own person.
    const inOne = await one.client().search([face('biden2.jpg'), face('obama2.jpg')]);
    const inTwo = await client.search([face('biden2.jpg'), face('obama2.jpg')]);
    expect(inOne.response.result[1]!.matches[0]).toMatchObject({ classId: '5001' });
    expect(inOne.response.result[0]!.matches[0]!.score).toBeLessThan(0.4);
    expect(inTwo.response.result[0]!.matches[0]).toMatchObject({ classId: '5001' });
    expect(inTwo.response.result[1]!.matches[0]!.score).toBeLessThan(0.4);
    expect(two.service.handlers.store.list().map((record) => record.bcid)).toEqual(['bws/2/5001']);
  });

  it('Verify and Search score with the compact template (plain index and sealed alike)', async () => {
    const probe = (await v1.analyzeStill(face('obama4.jpg'))).embeddingVector!;
    for (const compactEncryption of [false, true]) {
      const service = await serve(newSite(), v1, { compactEncryption });
      const client = service.client();
      await client.enroll('6001', [face('obama.jpg'), face('obama2.jpg'), face('obama3.jpg')]);
      await client.enroll('6002', [face('biden.jpg')]);
      const { store } = service.service.handlers;
      const expected = matchScore(probe, compactTemplate(store.features('6001').map((feature) => feature.vector!)));
      expect(store.compact({ classId: '6001' }).get('6001')).toHaveLength(1);
      const verified = await client.verify('6001', face('obama4.jpg'));
      expect(verified.response.verified).toBe(true);
      expect(verified.response.score).toBeCloseTo(expected, 5);
      const found = await client.search([face('obama4.jpg')]);
      expect(found.response.result[0]!.matches[0]!.classId).toBe('6001');
      expect(found.response.result[0]!.matches[0]!.score).toBeCloseTo(expected, 5);
    }
  });

  it('returns thumbnails in enrollment order with their times (PNG crops with a detectable face); delete removes vectors, thumbnails and tags', async () => {
    const service = await serve(newSite(), v1);
    const client = service.client();
    const photos = ['kit_harington1.jpg', 'obama.jpg', 'biden.jpg'];
    await client.enroll('7001', [face(photos[0]!)]);
    await client.enroll('7001', [face(photos[1]!), face(photos[2]!)]);
    await client.setTemplateTags('7001', ['visitor']);
    const status = await client.getTemplateStatus('7001', { thumbnails: true });
    expect(status.response).toMatchObject({ feature_vectors: 3, thumbnails_stored: 3, tags: ['visitor'] });
    const thumbnails = status.response.thumbnails;
    expect(thumbnails).toHaveLength(3);
    const seconds = thumbnails.map((thumbnail) => Number(thumbnail.enrolled!.seconds) * 1e3 + thumbnail.enrolled!.nanos / 1e6);
    expect(seconds[0]).toBeLessThanOrEqual(seconds[1]!);
    expect(seconds[1]).toBe(seconds[2]);
    for (const [index, thumbnail] of thumbnails.entries()) {
      expect(thumbnail.image.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const inThumbnail = await v1.analyzeStill(thumbnail.image);
      expect(inThumbnail.primary).not.toBeNull();
      // The i-th thumbnail shows the i-th enrolled person (three different people).
      const similarities = await Promise.all(photos.map(async (photo) => dot(inThumbnail.embeddingVector!, (await v1.analyzeStill(face(photo))).embeddingVector!)));
      expect(similarities.indexOf(Math.max(...similarities))).toBe(index);
    }

    await client.deleteTemplate('7001');
    const { store } = service.service.handlers;
    for (const table of ['bws_templates', 'enhanced_features', 'compact_templates']) {
      expect((store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE bcid = 'bws/1/7001'`).get() as { n: number }).n).toBe(0);
    }
    expect((await client.getTemplateStatus('7001', { thumbnails: true })).response).toMatchObject({ available: false, feature_vectors: 0, thumbnails: [] });
    const fresh = await client.enroll('7001', [face('obama2.jpg')]);
    expect(fresh.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    expect(fresh.response.template_status).toMatchObject({ feature_vectors: 1, tags: [] });
  });
});
