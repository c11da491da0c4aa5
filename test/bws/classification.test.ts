import http2 from 'node:http2';
import type net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwsClient } from '../../src/engine/bws/client.js';
import { classifyFailure } from '../../src/engine/bws/errors.js';
import { newCredentials } from './helpers.js';
import { waitFor } from '../sync/helpers.js';

/**
 * The error classification (decisions.md "Error class -> queue state"), one row per outcome. The ambiguous
 * rows matter most: an outcome there means the enrollment may have been stored, and classifying it as an
 * ordinary retry would re-send it blindly (a second copy in the template).
 */
const S = grpc.status;
type Row = [name: string, code: grpc.status, details: string, expected: { class: string; maxAttempts?: number; backoff?: string }];

const TABLE: Row[] = [
  // ambiguous: the request may have reached the service
  ['deadline passed after sending', S.DEADLINE_EXCEEDED, 'Deadline exceeded after 1.0s,remote_addr=127.0.0.1:1', { class: 'ambiguous' }],
  ['connection dropped after sending', S.UNAVAILABLE, 'Connection dropped', { class: 'ambiguous' }],
  ['socket reset after sending', S.UNAVAILABLE, 'read ECONNRESET', { class: 'ambiguous' }],
  ['GOAWAY after sending', S.UNAVAILABLE, 'Received GOAWAY', { class: 'ambiguous' }],
  ['Cancelled on client (grpc-js call.cancel)', S.CANCELLED, 'Cancelled on client', { class: 'ambiguous' }],
  ['INTERNAL Received RST_STREAM (server error)', S.INTERNAL, 'Received RST_STREAM with code 2 (Internal server error)', { class: 'ambiguous' }],
  ['INTERNAL Received RST_STREAM (no gRPC status)', S.INTERNAL, 'Received RST_STREAM with code 0 (Call ended without gRPC status)', { class: 'ambiguous' }],
  ['INTERNAL Received RST_STREAM (other code)', S.INTERNAL, 'Received RST_STREAM with code 1', { class: 'ambiguous' }],
  ['UNKNOWN after ECONNRESET', S.UNKNOWN, 'Received RST_STREAM with code 2 triggered by internal client error: read ECONNRESET', { class: 'ambiguous' }],
  // retryable: nothing was sent, or the service says it did not process the call
  ['Cancelled on client before sending', S.CANCELLED, 'Cancelled on client before sending', { class: 'retryable', backoff: 'normal' }],
  ['no connection established', S.UNAVAILABLE, 'No connection established', { class: 'retryable', backoff: 'normal' }],
  ['connect timeout before the socket opened', S.UNAVAILABLE, 'No connection established. Last error: Error: connect ETIMEDOUT 10.255.255.1:443. Resolution note: ', { class: 'retryable' }],
  ['reset before the socket opened', S.UNAVAILABLE, 'No connection established. Last error: Error: read ECONNRESET', { class: 'retryable' }],
  ['stream refused by the server', S.UNAVAILABLE, 'Stream refused by server', { class: 'retryable' }],
  ['deadline while waiting for a connection', S.DEADLINE_EXCEEDED, 'Deadline exceeded after 1.0s,Waiting for LB pick', { class: 'retryable' }],
  ['cancelled by the service', S.CANCELLED, 'Call cancelled', { class: 'retryable', backoff: 'normal' }],
  ['quota', S.RESOURCE_EXHAUSTED, 'quota exceeded', { class: 'retryable', backoff: 'quota' }],
  ['INTERNAL (bounded)', S.INTERNAL, 'boom', { class: 'retryable', maxAttempts: 5 }],
  ['UNKNOWN (bounded)', S.UNKNOWN, 'boom', { class: 'retryable', maxAttempts: 5 }],
  // permanent, credentials, wrong host
  ['request too large', S.RESOURCE_EXHAUSTED, 'Received message larger than max (51000010 vs. 50000000)', { class: 'permanent' }],
  ['INVALID_ARGUMENT', S.INVALID_ARGUMENT, '', { class: 'permanent' }],
  ['NOT_FOUND', S.NOT_FOUND, '', { class: 'permanent' }],
  ['FAILED_PRECONDITION', S.FAILED_PRECONDITION, '', { class: 'permanent' }],
  ['UNAUTHENTICATED', S.UNAUTHENTICATED, '', { class: 'credentials' }],
  ['PERMISSION_DENIED', S.PERMISSION_DENIED, '', { class: 'credentials' }],
  ['UNIMPLEMENTED', S.UNIMPLEMENTED, '', { class: 'wrong_host' }],
];

describe('error classification table', () => {
  it.each(TABLE)('%s', (_name, code, details, expected) => {
    const info = classifyFailure({ code, details, metadata: new grpc.Metadata() });
    expect(info).toMatchObject({ ...expected, code: grpc.status[code], grpcCode: code });
    if (expected.class === 'ambiguous') expect(info.message).toMatch(/(checked|status) before anything is re-sent/);
  });
});

/**
 * The same outcomes produced for real: a raw HTTP/2 server plays a broken gRPC service (reads the whole
 * request, then ends the stream the way the test asks), and the station's BwsClient calls it. This pins the
 * details texts grpc-js really gives, so a library update that rewords them fails here, not in the field.
 */
describe('ambiguous outcomes from a real wire', () => {
  type Behaviour = 'hold' | 'rst-internal' | 'rst-no-error' | 'rst-protocol' | 'rst-refused';
  let server: http2.Http2Server;
  let endpoint = '';
  let behaviour: Behaviour = 'hold';
  let received = 0;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    server = http2.createServer();
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('stream', (stream) => {
      stream.on('error', () => {});
      stream.resume();
      stream.on('end', () => {
        received += 1;
        const codes = { 'rst-internal': http2.constants.NGHTTP2_INTERNAL_ERROR, 'rst-no-error': http2.constants.NGHTTP2_NO_ERROR, 'rst-protocol': http2.constants.NGHTTP2_PROTOCOL_ERROR, 'rst-refused': http2.constants.NGHTTP2_REFUSED_STREAM };
        if (behaviour !== 'hold') stream.close(codes[behaviour]);
      });
    });
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function failedEnroll(mode: Behaviour, options: { signal?: AbortSignal } = {}): Promise<{ error: unknown; arrived: number }> {
    behaviour = mode;
    const before = received;
    const client = new BwsClient({ endpoint, ...newCredentials() });
    try {
      const error = await client.enroll('1', [Buffer.from([1, 2, 3])], { deadlineMs: 60_000, ...options }).then(() => null, (failure: unknown) => failure);
      return { error, arrived: received - before };
    } finally {
      client.close();
    }
  }

  it.each([
    ['rst-internal', 'INTERNAL', /^Received RST_STREAM with code 2 \(Internal server error\)$/],
    ['rst-no-error', 'INTERNAL', /^Received RST_STREAM with code 0 \(Call ended without gRPC status\)$/],
    ['rst-protocol', 'INTERNAL', /^Received RST_STREAM with code 1$/],
  ] as const)('the service resets the stream after reading the request (%s): %s, ambiguous', async (mode, code, details) => {
    const { error, arrived } = await failedEnroll(mode);
    expect(arrived).toBe(1);
    expect(error).toMatchObject({ grpcCodeName: code, grpcDetails: expect.stringMatching(details) });
    expect(classifyFailure(error)).toMatchObject({ class: 'ambiguous', code });
  });

  it('a stream refused by the service (HTTP/2 REFUSED_STREAM: not processed) is an ordinary retry', async () => {
    const { error, arrived } = await failedEnroll('rst-refused');
    // grpc-js retries a refused stream once by itself (transparent retry), then reports it.
    expect(arrived).toBe(2);
    expect(error).toMatchObject({ grpcCodeName: 'UNAVAILABLE', grpcDetails: 'Stream refused by server' });
    expect(classifyFailure(error)).toMatchObject({ class: 'retryable', code: 'UNAVAILABLE' });
  });

  it('the station cancelling a call the service already received: "Cancelled on client", ambiguous', async () => {
    const abort = new AbortController();
    behaviour = 'hold';
    const before = received;
    const pending = failedEnroll('hold', { signal: abort.signal });
    await waitFor(() => received > before, 20_000, 'the request to arrive');
    abort.abort();
    const { error } = await pending;
    expect(error).toMatchObject({ grpcCodeName: 'CANCELLED', grpcDetails: 'Cancelled on client' });
    expect(classifyFailure(error)).toMatchObject({ class: 'ambiguous', code: 'CANCELLED' });
  });

  it('a call cancelled before the station sent it: "Cancelled on client before sending", an ordinary retry', async () => {
    const abort = new AbortController();
    abort.abort();
    const { error, arrived } = await failedEnroll('hold', { signal: abort.signal });
    expect(arrived).toBe(0);
    expect(error).toMatchObject({ grpcCodeName: 'CANCELLED', grpcDetails: 'Cancelled on client before sending' });
    expect(classifyFailure(error)).toMatchObject({ class: 'retryable', code: 'CANCELLED' });
  });
});
