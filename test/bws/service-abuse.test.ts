import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceRecognitionDefinition } from '../../src/engine/bws/proto.js';
import { type FloodConnection, type LocalFixture, face, floodConnection, oversizedCall, startFixture, until } from './helpers.js';

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

describe('local service under a flood of oversized headers (real sockets)', () => {
  let fixture: LocalFixture;
  const flooders: grpc.Client[] = [];

  beforeAll(async () => {
    // A short idle timeout so the test need not wait the production 30 s for the service to drop idle sockets;
    // room for all 50 connections from this one address, so every one reaches the header check.
    fixture = await startFixture({ mode: 'store-only', maxConnectionsPerClient: 64, serverOptions: { 'grpc.max_connection_idle_ms': 1000 } });
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

describe('local service under a flood of connections from one client (real sockets)', () => {
  let fixture: LocalFixture;
  const flood: FloodConnection[] = [];

  beforeAll(async () => {
    // Four connections per client; connections end after 1.5 s (+0.5 s grace) so the test need not wait the
    // production 10 minutes for the service to drop connections whose calls never end.
    fixture = await startFixture({
      mode: 'store-only',
      maxConnectionsPerClient: 4,
      serverOptions: { 'grpc.max_connection_idle_ms': 1000, 'grpc.max_connection_age_ms': 1500, 'grpc.max_connection_age_grace_ms': 500 },
    });
  });
  afterAll(async () => {
    for (const connection of flood) connection.session.destroy();
    await fixture.close();
  });

  it('keeps 4 of 60 connections from one address, each with 16 streams at most, answers another client within a second, and drops them all', async () => {
    const port = fixture.service.port;
    for (let index = 0; index < 60; index++) flood.push(floodConnection(port, '127.0.0.2'));
    const outcomes = await Promise.all(flood.map((connection) => connection.accepted));
    expect(outcomes.filter(Boolean).length).toBe(4);
    expect(fixture.service.openConnections().get('127.0.0.2')).toBe(4);
    const accepted = flood.filter((_, index) => outcomes[index]);
    const path = faceRecognitionDefinition().GetTemplateStatus!.path;
    for (const connection of accepted) {
      expect(connection.session.remoteSettings.maxConcurrentStreams).toBe(16);
      // Calls that send headers and never their message: they hold their streams as long as the connection lives.
      for (let stream = 0; stream < 16; stream++) {
        connection.session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' }, { endStream: false }).on('error', () => undefined);
      }
    }
    // Another client (127.0.0.1) is served at once while the flooder holds everything it may.
    const client = fixture.client();
    expect((await client.health('readiness', { deadlineMs: 1000 })).response.status).toBe('SERVING');
    const enrolled = await client.enroll('43', [face('biden.jpg')], { deadlineMs: 1000 });
    expect(enrolled.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
    // The flooder never hangs up; the service ends its connections (and the other client's idle one) itself.
    expect(await until(() => establishedOn(port) === 0, 15_000)).toBe(true);
    // The service hears of the last close a moment after the kernel has dropped the socket (a loaded machine
    // showed one still counted right then), so its own count is waited for too.
    expect(await until(() => fixture.service.openConnections().size === 0, 5_000)).toBe(true);
  }, 60_000);
});
