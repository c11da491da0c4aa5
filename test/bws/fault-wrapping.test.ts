import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwsClient } from '../../src/engine/bws/client.js';
import { classifyFailure } from '../../src/engine/bws/errors.js';
import { type LocalBwsHandlers, type RunningServer, createLocalBwsHandlers, serveBws } from '../../src/engine/bws-local/index.js';
import { newCredentials, tempDir } from './helpers.js';

/**
 * The local service's handlers are separate from its server so faults can be injected in front of the REAL
 * behaviour. This proves the seam: an Enroll that commits and then never answers gives the client an
 * ambiguous failure, and GetTemplateStatus shows the commit (the reconcile the sync engine relies on).
 */
describe('wrapping the real handlers with faults', () => {
  const credentials = newCredentials();
  let handlers: LocalBwsHandlers;
  let server: RunningServer;
  let unavailableLeft = 0;

  beforeAll(async () => {
    handlers = createLocalBwsHandlers({ ...credentials, dataDir: tempDir(), dbKey: randomBytes(32), mode: 'store-only' });
    const realEnroll = handlers.faceRecognition.Enroll as grpc.handleUnaryCall<unknown, unknown>;
    const faulty: grpc.handleUnaryCall<unknown, unknown> = (call, callback) => {
      if (unavailableLeft > 0) {
        unavailableLeft -= 1;
        callback({ code: grpc.status.UNAVAILABLE, details: 'injected: service unavailable' });
        return;
      }
      if (call.metadata.get('reference-number')[0] === 'commit-then-hang') {
        realEnroll(call, () => {
          // committed; the answer is lost
        });
        return;
      }
      realEnroll(call, callback);
    };
    server = await serveBws({ faceRecognition: { ...handlers.faceRecognition, Enroll: faulty }, health: handlers.health });
  });
  afterAll(async () => {
    await server.close();
    await handlers.close();
  });

  it('UNAVAILABLE before processing is retryable; the retry then succeeds', async () => {
    const client = new BwsClient({ endpoint: `http://127.0.0.1:${server.port}`, ...credentials });
    unavailableLeft = 1;
    const first = await client.enroll('10', [randomBytes(100)]).catch((error: unknown) => error);
    expect(classifyFailure(first)).toMatchObject({ class: 'retryable', code: 'UNAVAILABLE' });
    expect((await client.getTemplateStatus('10')).response.available).toBe(false);
    const retry = await client.enroll('10', [randomBytes(100)]);
    expect(retry.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    client.close();
  });

  it('commit then no answer: ambiguous, and the template status shows what was stored', async () => {
    const client = new BwsClient({ endpoint: `http://127.0.0.1:${server.port}`, ...credentials });
    const before = (await client.getTemplateStatus('11')).response;
    const lost = await client.enroll('11', [randomBytes(100), randomBytes(100)], { reference: 'commit-then-hang', deadlineMs: 700 }).catch((error: unknown) => error);
    expect(classifyFailure(lost)).toMatchObject({ class: 'ambiguous', code: 'DEADLINE_EXCEEDED' });
    const after = (await client.getTemplateStatus('11')).response;
    expect(before.feature_vectors).toBe(0);
    expect(after.feature_vectors).toBe(2);
    client.close();
  });
});
