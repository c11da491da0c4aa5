import * as grpc from '@grpc/grpc-js';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwsClient } from '../../src/engine/bws/client.js';
import { decodeMessage, encodeMessage, faceRecognitionDefinition } from '../../src/engine/bws/proto.js';
import type { FaceEnrollmentResponse } from '../../src/engine/bws/messages.js';
import { newCredentials } from './helpers.js';

/**
 * Golden bytes written BY HAND from the field numbers in shared/bws-api.md (not produced by any code here),
 * so a field-number or wire-type mistake in proto/ cannot hide behind the same proto on both sides.
 */
const hex = (text: string) => Buffer.from(text.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');

// FaceEnrollmentRequest { classId: 9223372036854775807, images: [ ImageData { image: 01 02 03, tags: ["t"] } ] }
const ENROLL_REQUEST = hex(`
  08                            # field 1 (classId), wire type 0 (varint)
  ff ff ff ff ff ff ff ff 7f    # 2^63-1: 63 one-bits, 7 per byte, last byte without continuation bit
  12 08                         # field 2 (images), wire type 2, 8 bytes follow
    0a 03 01 02 03              #   ImageData field 1 (image), 3 bytes: 01 02 03
    12 01 74                    #   ImageData field 2 (tags), 1 byte: "t"
`);

// FaceEnrollmentResponse { status: FAULTED, errors: [{ FaceNotFound, "x" }], performed_action: ENROLLMENT_FAILED,
//                          template_status: { classId: 9223372036854775807 } }
const ENROLL_FAILED_RESPONSE = hex(`
  08 01                                   # field 1 (status), varint 1 = FAULTED
  12 11                                   # field 2 (errors), 17 bytes follow
    0a 0c 46 61 63 65 4e 6f 74 46 6f 75 6e 64  #   JobError field 1 (error_code) "FaceNotFound" (12 bytes)
    12 01 78                              #   JobError field 2 (message) "x"
  20                                      # field 4 (performed_action), varint
  ff ff ff ff ff ff ff ff ff 01           # -1: negative enum values are sign-extended to 64 bits = 10-byte varint
  32 0a                                   # field 6 (template_status), 10 bytes follow
    08 ff ff ff ff ff ff ff ff 7f         #   FaceTemplateStatus field 1 (classId) 2^63-1
`);

// Same response shape with a performed_action of 7 and a status of 9, values no published proto defines.
const UNKNOWN_ENUM_RESPONSE = hex(`
  08 09                                   # field 1 (status) = 9 (unknown)
  20 07                                   # field 4 (performed_action) = 7 (unknown)
  28 02                                   # field 5 (enrolled_images) = 2
`);

describe('golden bytes: the project encodes exactly what the published field numbers say', () => {
  it('encodes an Enroll request with class id 2^63-1', () => {
    const encoded = encodeMessage('Enroll', 'request', { classId: '9223372036854775807', images: [{ image: Buffer.from([1, 2, 3]), tags: ['t'] }] });
    expect(encoded.toString('hex')).toBe(ENROLL_REQUEST.toString('hex'));
  });

  it('encodes and decodes an ENROLLMENT_FAILED (-1) response', () => {
    const encoded = encodeMessage('Enroll', 'response', {
      status: 'FAULTED',
      errors: [{ error_code: 'FaceNotFound', message: 'x' }],
      performed_action: 'ENROLLMENT_FAILED',
      template_status: { classId: '9223372036854775807' },
    });
    expect(encoded.toString('hex')).toBe(ENROLL_FAILED_RESPONSE.toString('hex'));
    const decoded = decodeMessage<FaceEnrollmentResponse>('Enroll', 'response', ENROLL_FAILED_RESPONSE);
    expect(decoded.performed_action).toBe('ENROLLMENT_FAILED');
    expect(decoded.status).toBe('FAULTED');
    expect(decoded.errors).toEqual([{ error_code: 'FaceNotFound', message: 'x' }]);
    expect(decoded.template_status?.classId).toBe('9223372036854775807');
    expect(decoded.enrolled_images).toBe(0);
  });

  it('uses the published method paths', () => {
    const paths = Object.values(faceRecognitionDefinition()).map((method) => method.path).sort();
    expect(paths).toEqual(
      ['Enroll', 'Verify', 'Search', 'SetTemplateTags', 'GetTemplateStatus', 'DeleteTemplate'].map((name) => `/bioid.services.v1.FaceRecognition/${name}`).sort(),
    );
  });
});

describe('the client on the wire, against a raw grpc-js server that speaks bytes', () => {
  const credentials = newCredentials();
  let server: grpc.Server;
  let port = 0;
  let received: { bytes: Buffer; metadata: grpc.Metadata } | null = null;
  let reply: Buffer = ENROLL_FAILED_RESPONSE;

  beforeAll(async () => {
    server = new grpc.Server();
    const identity = (value: Buffer) => value;
    server.register(
      '/bioid.services.v1.FaceRecognition/Enroll',
      ((call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        received = { bytes: call.request, metadata: call.metadata };
        const headers = new grpc.Metadata();
        headers.set('jobid', '3f2a9c1e-0000-4000-8000-000000000001');
        call.sendMetadata(headers);
        const trailer = new grpc.Metadata();
        trailer.set('response-time-ms', '12');
        callback(null, reply, trailer);
      }) as grpc.handleUnaryCall<Buffer, Buffer>,
      identity,
      identity,
      'unary',
    );
    port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  });
  afterAll(() => {
    server.forceShutdown();
  });

  it('sends the golden request bytes, a valid HS512 JWT and the Reference-Number', async () => {
    reply = ENROLL_FAILED_RESPONSE;
    const client = new BwsClient({ endpoint: `http://127.0.0.1:${port}`, ...credentials });
    const result = await client.enroll('9223372036854775807', [{ image: Buffer.from([1, 2, 3]), tags: ['t'] }], { reference: 'st1-job9-a1' });
    client.close();
    expect(received?.bytes.toString('hex')).toBe(ENROLL_REQUEST.toString('hex'));
    expect(received?.metadata.get('reference-number')).toEqual(['st1-job9-a1']);
    const token = String(received?.metadata.get('authorization')[0]).replace(/^Bearer /, '');
    expect(decodeProtectedHeader(token).alg).toBe('HS512');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: credentials.clientId, iss: credentials.clientId, aud: 'BWS' });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims.nbf).toBe(claims.iat);
    await expect(jwtVerify(token, Buffer.from(credentials.key, 'base64'), { audience: 'BWS' })).resolves.toBeTruthy();

    expect(result.response.performed_action).toBe('ENROLLMENT_FAILED');
    expect(result.response.errors[0]?.error_code).toBe('FaceNotFound');
    expect(result.metadata.jobId).toBe('3f2a9c1e-0000-4000-8000-000000000001');
    expect(result.metadata.responseTimeMs).toBe(12);
  });

  it('reuses the cached token for the next call', async () => {
    const client = new BwsClient({ endpoint: `http://127.0.0.1:${port}`, ...credentials });
    await client.enroll('1', [Buffer.from([1])]);
    const first = String(received?.metadata.get('authorization')[0]);
    await client.enroll('1', [Buffer.from([1])]);
    client.close();
    expect(String(received?.metadata.get('authorization')[0])).toBe(first);
  });

  it('does not crash on enum values it does not know', async () => {
    reply = UNKNOWN_ENUM_RESPONSE;
    const client = new BwsClient({ endpoint: `http://127.0.0.1:${port}`, ...credentials });
    const result = await client.enroll('42', [Buffer.from([9])]);
    client.close();
    expect(result.response.performed_action).toBe('UNKNOWN(7)');
    expect(result.response.status).toBe('UNKNOWN(9)');
    expect(result.response.enrolled_images).toBe(2);
  });
});
