import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/engine/bws/errors.js';
import { MAX_REQUEST_BYTES } from '../../src/engine/bws/client.js';
import { faceRecognitionDefinition } from '../../src/engine/bws/proto.js';
import { MAX_TOKEN_LIFETIME_S } from '../../src/engine/bws-local/auth.js';
import { type LocalFixture, newCredentials, startFixture } from './helpers.js';

const MAX = '9223372036854775807';

/** Calls a method with a raw grpc-js client (no station checks), to see what the service itself does. */
function rawCall(endpoint: string, method: string, request: unknown, token: string | null): Promise<{ error: grpc.ServiceError | null; value: unknown }> {
  const definition = faceRecognitionDefinition()[method]!;
  const client = new grpc.Client(endpoint.replace('http://', ''), grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, request, metadata, { deadline: Date.now() + 60_000 }, (error, value) => {
      client.close();
      resolve({ error: error ?? null, value });
    });
  });
}

async function tokenFor(credentials: { clientId: string; key: string }, offsetS = 0): Promise<string> {
  const now = Math.floor(Date.now() / 1000) + offsetS;
  return new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject(credentials.clientId).setIssuer(credentials.clientId).setAudience('BWS').setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 300).sign(Buffer.from(credentials.key, 'base64'));
}

describe('BWS wire layer against the store-only local service (real sockets)', () => {
  let fixture: LocalFixture;

  beforeAll(async () => {
    fixture = await startFixture({ mode: 'store-only' });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('answers health SERVING for liveness and readiness without a token', async () => {
    const client = fixture.client();
    expect((await client.health('liveness')).response.status).toBe('SERVING');
    expect((await client.health('readiness')).response.status).toBe('SERVING');
  });

  it('round-trips the largest class id and captures headers and trailer', async () => {
    const client = fixture.client();
    const before = await client.getTemplateStatus(MAX);
    expect(before.response.available).toBe(false);
    expect(before.response.classId).toBe(MAX);

    const enrolled = await client.enroll(MAX, [randomBytes(1000), randomBytes(2000)], { reference: 'station-1/job-7/attempt-1' });
    expect(enrolled.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    expect(enrolled.response.enrolled_images).toBe(2);
    expect(enrolled.response.template_status?.classId).toBe(MAX);
    expect(enrolled.response.template_status?.feature_vectors).toBe(2);
    expect(enrolled.metadata.referenceNumber).toBe('station-1/job-7/attempt-1');
    expect(enrolled.metadata.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(enrolled.metadata.bwsVersion).toMatch(/^3\./);
    expect(enrolled.metadata.date).not.toBeNull();
    expect(Number.isNaN(Date.parse(enrolled.metadata.date!))).toBe(false);
    // The service's processing time in whole milliseconds, sent as a trailer and parsed into a number.
    expect(enrolled.metadata.trailers['response-time-ms']).toMatch(/^\d+$/);
    expect(enrolled.metadata.responseTimeMs).toBe(Number(enrolled.metadata.trailers['response-time-ms']));

    const again = await client.enroll(MAX, [randomBytes(500)]);
    expect(again.response.performed_action).toBe('TEMPLATE_UPDATED');
    expect(again.response.template_status?.feature_vectors).toBe(3);

    const status = await client.getTemplateStatus(MAX);
    expect(status.response.available).toBe(true);
    expect(status.response.feature_vectors).toBe(3);
    expect(status.response.classId).toBe(MAX);
  });

  it('empty image list returns the status with action NONE', async () => {
    const client = fixture.client();
    const none = await client.enroll('77', []);
    expect(none.response.performed_action).toBe('NONE');
    expect(none.response.template_status?.available).toBe(false);
    await client.enroll('77', [randomBytes(10)]);
    const again = await client.enroll('77', []);
    expect(again.response.performed_action).toBe('NONE');
    expect(again.response.template_status?.available).toBe(true);
    expect(again.response.template_status?.feature_vectors).toBe(1);
  });

  it('sets tags (replacing) and deletes; NOT_FOUND for a missing template', async () => {
    const client = fixture.client();
    await client.enroll('4242', [randomBytes(10)]);
    await client.setTemplateTags('4242', ['a', 'b']);
    expect((await client.getTemplateStatus('4242')).response.tags).toEqual(['a', 'b']);
    await client.setTemplateTags('4242', ['c']);
    expect((await client.getTemplateStatus('4242')).response.tags).toEqual(['c']);
    await client.deleteTemplate('4242');
    expect((await client.getTemplateStatus('4242')).response.available).toBe(false);
    const missing = await client.deleteTemplate('4242').catch((error: unknown) => error);
    expect(classifyFailure(missing)).toMatchObject({ class: 'permanent', code: 'NOT_FOUND', grpcCode: grpc.status.NOT_FOUND });
    const tags = await client.setTemplateTags('4242', ['x']).catch((error: unknown) => error);
    expect(classifyFailure(tags).code).toBe('NOT_FOUND');
  });

  it('the client refuses class ids 0 and -1 before sending; the service answers INVALID_ARGUMENT to them', async () => {
    const client = fixture.client();
    await expect(client.getTemplateStatus('0')).rejects.toMatchObject({ code: 'INVALID_CLASS_ID' });
    await expect(client.enroll('-1', [])).rejects.toMatchObject({ code: 'INVALID_CLASS_ID' });
    const token = await tokenFor(fixture.credentials);
    for (const classId of ['0', '-1']) {
      const { error } = await rawCall(fixture.endpoint, 'Enroll', { classId, images: [] }, token);
      expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(classifyFailure(error).class).toBe('permanent');
    }
  });

  it('rejects a bad key and an expired token with UNAUTHENTICATED (credentials class)', async () => {
    const wrongKey = fixture.client({ key: newCredentials().key });
    const bad = await wrongKey.getTemplateStatus('1').catch((error: unknown) => error);
    expect(classifyFailure(bad)).toMatchObject({ class: 'credentials', code: 'UNAUTHENTICATED' });
    expect(String((bad as Error).message)).not.toContain(fixture.credentials.key);

    const past = Date.now() - 10 * 60_000;
    const expired = fixture.client({ clock: () => past });
    const error = await expired.getTemplateStatus('1').catch((failure: unknown) => failure);
    expect(classifyFailure(error).class).toBe('credentials');
    expect((error as { grpcDetails: string }).grpcDetails).toMatch(/expired/i);

    const { error: noToken } = await rawCall(fixture.endpoint, 'GetTemplateStatus', { classId: '1' }, null);
    expect(noToken?.code).toBe(grpc.status.UNAUTHENTICATED);
    const { error: wrongAudience } = await rawCall(
      fixture.endpoint,
      'GetTemplateStatus',
      { classId: '1' },
      await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject(fixture.credentials.clientId).setIssuer(fixture.credentials.clientId).setAudience('NOT-BWS').setExpirationTime('5m').sign(Buffer.from(fixture.credentials.key, 'base64')),
      );
    expect(wrongAudience?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it.each([
    { name: 'a wrong issuer', claims: { iss: 'someone-else' }, refusal: /unexpected "iss" claim value/ },
    { name: 'a wrong subject', claims: { sub: 'someone-else' }, refusal: /unexpected "sub" claim value/ },
    { name: 'no exp', claims: { exp: undefined }, refusal: /missing required "exp" claim/ },
    { name: 'a lifetime of a day', claims: { exp: 86_400 }, refusal: /valid for 86400 s; at most 3600 s/ },
    { name: 'a lifetime just over the maximum', claims: { exp: MAX_TOKEN_LIFETIME_S + 1 }, refusal: /valid for 3601 s/ },
  ])('refuses a token signed with the right key but with $name (UNAUTHENTICATED)', async ({ claims, refusal }) => {
    const { clientId, key } = fixture.credentials;
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = { iss: clientId, sub: clientId, aud: 'BWS', iat: now, nbf: now, exp: 300, ...claims };
    if (typeof payload.exp === 'number') payload.exp = now + payload.exp;
    else delete payload.exp;
    const token = await new SignJWT(payload).setProtectedHeader({ alg: 'HS512' }).sign(Buffer.from(key, 'base64'));
    const { error } = await rawCall(fixture.endpoint, 'GetTemplateStatus', { classId: '1' }, token);
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(error?.details).toMatch(refusal);
  });

  it('accepts the same hand-made token with the right claims and a lifetime at the maximum', async () => {
    const { clientId, key } = fixture.credentials;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: clientId, sub: clientId, aud: 'BWS', iat: now, nbf: now, exp: now + MAX_TOKEN_LIFETIME_S }).setProtectedHeader({ alg: 'HS512' }).sign(Buffer.from(key, 'base64'));
    const { error, value } = await rawCall(fixture.endpoint, 'GetTemplateStatus', { classId: '1' }, token);
    expect(error).toBeNull();
    expect(value).toMatchObject({ classId: '1', available: false });
  });

  it('refuses a 51 MB request before sending; the service itself answers RESOURCE_EXHAUSTED', async () => {
    const client = fixture.client();
    const big = new Uint8Array(51_000_000);
    const local = await client.enroll('5', [big]).catch((error: unknown) => error);
    expect(local).toMatchObject({ code: 'BWS_REQUEST_TOO_LARGE' });
    expect(classifyFailure(local).class).toBe('permanent');
    expect(51_000_000).toBeGreaterThan(MAX_REQUEST_BYTES);

    const { error } = await rawCall(fixture.endpoint, 'Enroll', { classId: '5', images: [{ image: big, tags: [] }] }, await tokenFor(fixture.credentials));
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(classifyFailure(error).class).toBe('permanent');
    // Nothing was stored for the refused request.
    expect((await client.getTemplateStatus('5')).response.available).toBe(false);
  });

  it('keeps templates across a restart of the service (encrypted file)', async () => {
    const restartable = await startFixture({ mode: 'store-only' });
    const client = restartable.client();
    await client.enroll('31337', [randomBytes(100), randomBytes(100)]);
    await client.setTemplateTags('31337', ['kept']);
    await restartable.close();

    const again = await startFixture({ mode: 'store-only', dataDir: restartable.dataDir, dbKey: restartable.dbKey, credentials: restartable.credentials });
    const status = await again.client().getTemplateStatus('31337');
    expect(status.response).toMatchObject({ available: true, feature_vectors: 2, tags: ['kept'] });
    await again.close();
  });
});
