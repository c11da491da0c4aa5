import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwsClient } from '../../src/engine/bws/client.js';
import { parseEndpoint } from '../../src/engine/bws/endpoint.js';
import { classifyFailure } from '../../src/engine/bws/errors.js';
import { healthDefinition } from '../../src/engine/bws/proto.js';
import { type LocalFixture, makeCertificates, newCredentials, startFixture, tempDir } from './helpers.js';

describe('TLS to the local service with a self-signed CA', () => {
  let fixture: LocalFixture;
  let certs: ReturnType<typeof makeCertificates>;

  beforeAll(async () => {
    certs = makeCertificates(tempDir('bws-tls-'));
    fixture = await startFixture({ mode: 'store-only', tls: { cert: certs.cert, key: certs.key } });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('connects over https with the CA file and round-trips a call', async () => {
    const client = fixture.client({ endpoint: `https://localhost:${fixture.service.port}`, caFile: certs.ca });
    expect(client.endpoint.tls).toBe(true);
    const status = await client.getTemplateStatus('9223372036854775807');
    expect(status.response.available).toBe(false);
    expect((await client.health('readiness')).response.status).toBe('SERVING');
  });

  it('fails without the CA (the certificate is not trusted) and classifies it as retryable, not credentials', async () => {
    const client = fixture.client({ endpoint: `https://localhost:${fixture.service.port}` });
    const error = await client.getTemplateStatus('1').catch((failure: unknown) => failure);
    expect(classifyFailure(error)).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('plaintext to a TLS port does not succeed', async () => {
    const client = fixture.client({ endpoint: `http://127.0.0.1:${fixture.service.port}` });
    const error = await client.getTemplateStatus('1').then(() => null, (failure: unknown) => failure);
    // The TLS handshake never completes, so no connection is established and nothing is sent.
    expect(error).toMatchObject({ name: 'BwsCallError', grpcCodeName: 'UNAVAILABLE', grpcDetails: expect.stringMatching(/^No connection established/) });
    expect(classifyFailure(error)).toMatchObject({ class: 'retryable', code: 'UNAVAILABLE' });
  });
});

describe('endpoint rules', () => {
  it('refuses plaintext to a non-loopback host unless insecure is explicit', () => {
    const { clientId, key } = newCredentials();
    expect(() => new BwsClient({ endpoint: 'http://10.1.2.3:5000', clientId, key })).toThrow(expect.objectContaining({ code: 'ENDPOINT_INSECURE' }));
    expect(() => new BwsClient({ endpoint: 'http://face.bws-eu.bioid.com:80', clientId, key })).toThrow(/loopback/);
    const insecure = new BwsClient({ endpoint: 'http://10.1.2.3:5000', clientId, key, insecure: true });
    expect(insecure.endpoint.tls).toBe(false);
    insecure.close();
  });

  it('parses https defaults, IPv6 loopback and rejects paths', () => {
    expect(parseEndpoint('https://face.bws-eu.bioid.com')).toMatchObject({ tls: true, port: 443, target: 'face.bws-eu.bioid.com:443', loopback: false });
    expect(parseEndpoint('http://[::1]:5050')).toMatchObject({ tls: false, loopback: true, target: '[::1]:5050' });
    expect(parseEndpoint('http://localhost:5050').loopback).toBe(true);
    expect(() => parseEndpoint('face.bws-eu.bioid.com:443')).toThrow(expect.objectContaining({ code: 'ENDPOINT_INVALID' }));
    expect(() => parseEndpoint('https://face.bws-eu.bioid.com/api')).toThrow(expect.objectContaining({ code: 'ENDPOINT_INVALID' }));
    expect(parseEndpoint('http://127.0.0.1').port).toBe(80);
  });
});

describe('failure classification from real failures', () => {
  const credentials = newCredentials();

  it('connection refused (nothing sent) is retryable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const client = new BwsClient({ endpoint: `http://127.0.0.1:${port}`, ...credentials });
    const error = await client.enroll('1', [Buffer.from([1])]).catch((failure: unknown) => failure);
    client.close();
    expect(classifyFailure(error)).toMatchObject({ class: 'retryable', code: 'UNAVAILABLE' });
  });

  describe('against servers that misbehave after receiving the request', () => {
    let server: grpc.Server;
    let port = 0;
    let arrived: () => void = () => {};

    beforeAll(async () => {
      server = new grpc.Server();
      const identity = (value: Buffer) => value;
      // Holds every Enroll without answering (the test decides what happens next).
      server.register('/bioid.services.v1.FaceRecognition/Enroll', (() => arrived()) as grpc.handleUnaryCall<Buffer, Buffer>, identity, identity, 'unary');
      // Only health is offered: other methods answer UNIMPLEMENTED, like BioID's "basic" grpc.* host for Enroll.
      server.addService(healthDefinition(), { Check: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { status: 'SERVING' }) });
      port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    });
    afterAll(() => {
      server.forceShutdown();
    });

    it('a deadline passing after the request was sent is ambiguous', async () => {
      const client = new BwsClient({ endpoint: `http://127.0.0.1:${port}`, ...credentials });
      // Connect first: on a busy machine a short deadline on a new connection can pass while it is still
      // connecting, which is the other (retryable, "Waiting for LB pick") outcome. On an open connection the
      // request leaves at once, and the server holds it until the deadline passes.
      expect((await client.health('readiness')).response.status).toBe('SERVING');
      const error = await client.enroll('1', [Buffer.from([1])], { deadlineMs: 1000 }).catch((failure: unknown) => failure);
      client.close();
      expect(error).toMatchObject({ grpcCodeName: 'DEADLINE_EXCEEDED', grpcDetails: expect.stringMatching(/remote_addr=127\.0\.0\.1:/) });
      expect(classifyFailure(error)).toMatchObject({ class: 'ambiguous', code: 'DEADLINE_EXCEEDED' });
    });

    it('UNIMPLEMENTED says wrong host: use face.<location>.bioid.com', async () => {
      const client = new BwsClient({ endpoint: `http://127.0.0.1:${port}`, ...credentials });
      const error = await client.getTemplateStatus('1').catch((failure: unknown) => failure);
      client.close();
      const info = classifyFailure(error);
      expect(info).toMatchObject({ class: 'wrong_host', code: 'UNIMPLEMENTED' });
      expect(info.message).toContain('face.<location>.bioid.com, not grpc.');
    });

    it('the connection dropping after the request arrived is ambiguous', async () => {
      // A TCP relay stands for the network between station and service; it is cut once the request arrived.
      const sockets: net.Socket[] = [];
      const relay = net.createServer((inbound) => {
        const outbound = net.connect(port, '127.0.0.1');
        sockets.push(inbound, outbound);
        inbound.pipe(outbound).pipe(inbound);
        inbound.on('error', () => {});
        outbound.on('error', () => {});
      });
      const relayPort = await new Promise<number>((resolve) => relay.listen(0, '127.0.0.1', () => resolve((relay.address() as net.AddressInfo).port)));
      const client = new BwsClient({ endpoint: `http://127.0.0.1:${relayPort}`, ...credentials });
      const seen = new Promise<void>((resolve) => (arrived = resolve));
      const pending = client.enroll('1', [Buffer.from([1])]).catch((failure: unknown) => failure);
      await seen;
      for (const socket of sockets) socket.resetAndDestroy();
      const error = await pending;
      client.close();
      relay.close();
      expect(classifyFailure(error)).toMatchObject({ class: 'ambiguous', code: 'UNAVAILABLE' });
    });
  });
});
