import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceRecognitionDefinition } from '../../src/engine/bws/proto.js';
import { type LocalFixture, face, startFixture } from './helpers.js';

/** ESTABLISHED TCP sockets whose local or remote port is `port` (both ends on 127.0.0.1 count). */
function establishedOn(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address, rem_address, st (01 = ESTABLISHED); count the server's end only.
      if (fields.length > 3 && fields[3] === '01' && fields[1]!.endsWith(`:${hex}`)) count++;
    }
  }
  return count;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/**
 * A GetTemplateStatus call on its own connection with an oversized authorization header. The client stays
 * open (an abuser does not hang up): only the service can close its connection.
 */
function oversizedCall(address: string, headerBytes: number, clients: grpc.Client[]): Promise<grpc.ServiceError | null> {
  const definition = faceRecognitionDefinition().GetTemplateStatus!;
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  clients.push(client);
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${'a'.repeat(headerBytes)}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, { classId: '1' }, metadata, { deadline: Date.now() + 20_000 }, (error) => resolve(error ?? null));
  });
}

describe('local service under a flood of oversized headers (real sockets)', () => {
  let fixture: LocalFixture;
  const flooders: grpc.Client[] = [];

  beforeAll(async () => {
    // A short idle timeout so the test need not wait the production 30 s for the service to drop idle sockets.
    fixture = await startFixture({ mode: 'store-only', serverOptions: { 'grpc.max_connection_idle_ms': 1000 } });
  });
  afterAll(async () => {
    for (const client of flooders) client.close();
    await fixture.close();
  });

  it('refuses 50 connections with a 100 KB authorization header at once, then serves health and Enroll, and the sockets are gone', async () => {
    const address = `127.0.0.1:${fixture.service.port}`;
    const errors = await Promise.all(Array.from({ length: 50 }, () => oversizedCall(address, 100 * 1024, flooders)));
    for (const error of errors) {
      // The 20 s deadline only guards against a hang: the refusal must come from the service, not the clock.
      expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(error?.details).toMatch(/exceed the service's limit of 16384 bytes/);
    }
    // The flooding clients never hang up; the service itself closes their idle connections.
    expect(await until(() => establishedOn(fixture.service.port) === 0, 15_000)).toBe(true);
    const client = fixture.client();
    expect((await client.health('readiness')).response.status).toBe('SERVING');
    const enrolled = await client.enroll('42', [face('biden.jpg')]);
    expect(enrolled.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    expect(enrolled.response.enrolled_images).toBe(1);
  }, 60_000);
});
