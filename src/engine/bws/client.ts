import fs from 'node:fs';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { parseClassId } from '../../shared/class-id.js';
import { StationError } from '../../shared/errors.js';
import { stationVersion } from '../version.js';
import { type Endpoint, parseEndpoint } from './endpoint.js';
import { BwsCallError, REQUEST_TOO_LARGE } from './errors.js';
import {
  type DeleteTemplateResponse,
  type FaceEnrollmentResponse,
  type FaceSearchResponse,
  type FaceTemplateStatus,
  type FaceVerificationResponse,
  type ImageData,
  type ServingStatus,
  type SetTemplateTagsResponse,
  normaliseAction,
  normaliseEnum,
  normaliseStatus,
} from './messages.js';
import { faceRecognitionDefinition, healthDefinition } from './proto.js';
import { TokenSource } from './token.js';
import type { CallMetadata, CallOptions, CallResult } from './types.js';

/** The service's request limit (bws-api.md: 50 MB). Checked on the encoded message BEFORE sending. */
export const MAX_REQUEST_BYTES = 50_000_000;
/** Responses can carry every thumbnail of a template: allow much more than the request limit. */
export const MAX_RECEIVE_BYTES = 256 * 1024 * 1024;
/** Deadline of small calls (status, delete, tags, health). */
export const DEFAULT_DEADLINE_MS = 30_000;
/** Enroll/Verify/Search: base + per image + upload time at a pessimistic 256 KB/s. */
const UPLOAD_BYTES_PER_S = 256 * 1024;
const PER_IMAGE_MS = 5_000;

export interface BwsClientOptions {
  /** https://host[:port] or http://127.0.0.1:port */
  endpoint: string;
  clientId: string;
  /** The client key, base64 as the BWS portal shows it (or its decoded bytes). */
  key: string | Uint8Array;
  /** PEM file of extra CA certificates (added to the default roots). */
  caFile?: string;
  /** PEM text of extra CA certificates (tests, or a caller that already read the file). */
  caPem?: string | Buffer;
  /** Allow http:// to a non-loopback host. Visible in `station doctor`. */
  insecure?: boolean;
  defaultDeadlineMs?: number;
  /** Clock for token minting (ms since epoch); tests use it to make expired tokens. */
  clock?: () => number;
}

export type EnrollImage = Uint8Array | { image: Uint8Array; tags?: string[] };

export interface StatusOptions extends CallOptions {
  thumbnails?: boolean;
}

export interface SearchOptions extends CallOptions {
  tags?: string[];
  topMatches?: boolean;
}

export type HealthService = 'liveness' | 'readiness' | '';

/**
 * The BWS 3 face recognition client. One instance per endpoint and credentials; it holds one HTTP/2 channel.
 * Every call: JWT bearer (except health), Reference-Number when given, a deadline, and the response headers
 * and trailer returned as CallMetadata. Failures are thrown as BwsCallError (gRPC status) or StationError
 * (checked before sending); pass either to classifyFailure().
 */
export class BwsClient {
  readonly endpoint: Endpoint;
  readonly clientId: string;
  readonly #tokens: TokenSource;
  readonly #client: grpc.Client;
  readonly #defaultDeadlineMs: number;

  constructor(options: BwsClientOptions) {
    this.endpoint = parseEndpoint(options.endpoint, { insecure: options.insecure ?? false });
    this.clientId = options.clientId.trim();
    this.#tokens = new TokenSource(this.clientId, options.key, options.clock);
    this.#defaultDeadlineMs = options.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS;
    this.#client = new grpc.Client(this.endpoint.target, channelCredentials(this.endpoint, options), {
      'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
      'grpc.max_send_message_length': MAX_REQUEST_BYTES + 1024,
      'grpc.primary_user_agent': `enrollment-station/${stationVersion()}`,
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
  }

  async enroll(classId: string, images: EnrollImage[], options: CallOptions = {}): Promise<CallResult<FaceEnrollmentResponse>> {
    const imageData = images.map(toImageData);
    const bytes = imageData.reduce((sum, item) => sum + item.image.length, 0);
    const result = await this.#call<FaceEnrollmentResponse>('Enroll', { classId: parseClassId(classId), images: imageData }, options, payloadDeadline(bytes, imageData.length));
    const response = result.response;
    response.status = normaliseStatus(response.status);
    response.performed_action = normaliseAction(response.performed_action);
    return result;
  }

  async getTemplateStatus(classId: string, options: StatusOptions = {}): Promise<CallResult<FaceTemplateStatus>> {
    return this.#call<FaceTemplateStatus>('GetTemplateStatus', { classId: parseClassId(classId), download_thumbnails: Boolean(options.thumbnails) }, options, this.#defaultDeadlineMs);
  }

  async deleteTemplate(classId: string, options: CallOptions = {}): Promise<CallResult<DeleteTemplateResponse>> {
    return this.#call<DeleteTemplateResponse>('DeleteTemplate', { classId: parseClassId(classId) }, options, this.#defaultDeadlineMs);
  }

  async setTemplateTags(classId: string, tags: string[], options: CallOptions = {}): Promise<CallResult<SetTemplateTagsResponse>> {
    return this.#call<SetTemplateTagsResponse>('SetTemplateTags', { classId: parseClassId(classId), tags }, options, this.#defaultDeadlineMs);
  }

  async verify(classId: string, image: EnrollImage, options: CallOptions = {}): Promise<CallResult<FaceVerificationResponse>> {
    const data = toImageData(image);
    const result = await this.#call<FaceVerificationResponse>('Verify', { classId: parseClassId(classId), image: data }, options, payloadDeadline(data.image.length, 1));
    result.response.status = normaliseStatus(result.response.status);
    return result;
  }

  async search(images: EnrollImage[], options: SearchOptions = {}): Promise<CallResult<FaceSearchResponse>> {
    const imageData = images.map(toImageData);
    const bytes = imageData.reduce((sum, item) => sum + item.image.length, 0);
    const request = { images: imageData, tags: options.tags ?? [], top_matches: Boolean(options.topMatches) };
    const result = await this.#call<FaceSearchResponse>('Search', request, options, payloadDeadline(bytes, imageData.length));
    result.response.status = normaliseStatus(result.response.status);
    return result;
  }

  /** grpc.health.v1 Check, without authentication (as the service expects). */
  async health(service: HealthService = 'readiness', options: CallOptions = {}): Promise<CallResult<{ status: ServingStatus | `UNKNOWN(${number})` }>> {
    const definition = healthDefinition().Check!;
    const result = await this.#unary<{ status: ServingStatus | number }>(
      'Health/Check',
      definition,
      definition.requestSerialize({ service }),
      new grpc.Metadata(),
      options,
      options.deadlineMs ?? Math.min(this.#defaultDeadlineMs, 10_000),
    );
    return { response: { status: normaliseEnum(result.response.status, ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const) }, metadata: result.metadata };
  }

  close(): void {
    this.#client.close();
  }

  async #call<T>(method: string, request: unknown, options: CallOptions, defaultDeadline: number): Promise<CallResult<T>> {
    const definition = faceRecognitionDefinition()[method]!;
    // Serialise once: the size check sees exactly the bytes that go on the wire.
    const encoded = definition.requestSerialize(request);
    if (encoded.length > MAX_REQUEST_BYTES) {
      throw new StationError(
        REQUEST_TOO_LARGE,
        `The ${method} request is ${(encoded.length / 1e6).toFixed(1)} MB; BWS accepts at most ${MAX_REQUEST_BYTES / 1e6} MB per request. Send fewer or smaller images (about 1200x1600 PNG is plenty).`,
        { details: { bytes: encoded.length, limit: MAX_REQUEST_BYTES } },
      );
    }
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${await this.#tokens.token()}`);
    try {
      return await this.#unary<T>(method, definition, encoded, metadata, options, options.deadlineMs ?? defaultDeadline);
    } catch (error) {
      // A rejected token is not reused: the next call mints a fresh one (after a clock fix, say).
      if (error instanceof BwsCallError && error.grpcCode === grpc.status.UNAUTHENTICATED) this.#tokens.invalidate();
      throw error;
    }
  }

  #unary<T>(method: string, definition: grpc.MethodDefinition<unknown, unknown>, encoded: Buffer, metadata: grpc.Metadata, options: CallOptions, deadlineMs: number): Promise<CallResult<T>> {
    if (options.reference !== undefined) metadata.set('reference-number', checkReference(options.reference));
    if (options.signal?.aborted) return Promise.reject(new BwsCallError(method, grpc.status.CANCELLED, 'Cancelled on client before sending'));
    return new Promise((resolve, reject) => {
      let headers: grpc.Metadata | null = null;
      let outcome: { error: grpc.ServiceError | null; value: unknown } | null = null;
      const call = this.#client.makeUnaryRequest(
        definition.path,
        (value: Buffer) => value,
        (bytes: Buffer) => definition.responseDeserialize(bytes),
        encoded,
        metadata,
        { deadline: new Date(Date.now() + deadlineMs) },
        (error, value) => {
          outcome = { error: error ?? null, value };
        },
      );
      const onAbort = () => call.cancel();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      call.on('metadata', (received: grpc.Metadata) => {
        headers = received;
      });
      // 'status' comes after the callback and carries the trailers, so the result is complete here.
      call.on('status', (status: grpc.StatusObject) => {
        options.signal?.removeEventListener('abort', onAbort);
        const callMetadata = toCallMetadata(headers, status.metadata);
        if (status.code === grpc.status.OK && outcome && !outcome.error) {
          resolve({ response: outcome.value as T, metadata: callMetadata });
        } else {
          const code = status.code === grpc.status.OK ? grpc.status.INTERNAL : status.code;
          reject(new BwsCallError(method, code, status.details || outcome?.error?.details || '', callMetadata));
        }
      });
    });
  }
}

function channelCredentials(endpoint: Endpoint, options: BwsClientOptions): grpc.ChannelCredentials {
  if (!endpoint.tls) return grpc.credentials.createInsecure();
  let extra: Buffer | undefined;
  if (options.caPem) extra = Buffer.from(options.caPem);
  else if (options.caFile) {
    try {
      extra = fs.readFileSync(options.caFile);
    } catch (error) {
      throw new StationError('NOT_CONFIGURED', `Cannot read the CA file ${options.caFile}: ${(error as Error).message}.`);
    }
  }
  // Without a CA file grpc-js uses Node's default roots (plus NODE_EXTRA_CA_CERTS); a CA file adds to them.
  if (!extra) return grpc.credentials.createSsl();
  return grpc.credentials.createSsl(Buffer.concat([Buffer.from(tls.rootCertificates.join('\n')), Buffer.from('\n'), extra]));
}

function toImageData(image: EnrollImage): ImageData {
  const data = image instanceof Uint8Array ? { image, tags: [] } : { image: image.image, tags: image.tags ?? [] };
  if (data.image.length === 0) throw new StationError('IMAGE_EMPTY', 'An image to send is empty (0 bytes).');
  return data;
}

function payloadDeadline(bytes: number, images: number): number {
  return DEFAULT_DEADLINE_MS + images * PER_IMAGE_MS + Math.ceil((bytes / UPLOAD_BYTES_PER_S) * 1000);
}

function checkReference(reference: string): string {
  if (!/^[\x20-\x7e]{1,200}$/.test(reference)) {
    throw new StationError('USAGE', 'A Reference-Number must be 1 to 200 printable ASCII characters.');
  }
  return reference;
}

function metadataMap(metadata: grpc.Metadata | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!metadata) return out;
  for (const [key, value] of Object.entries(metadata.getMap())) out[key] = typeof value === 'string' ? value : Buffer.from(value).toString('base64');
  return out;
}

export function toCallMetadata(headers: grpc.Metadata | null, trailers: grpc.Metadata | null): CallMetadata {
  const headerMap = metadataMap(headers);
  const trailerMap = metadataMap(trailers);
  const responseTime = Number(trailerMap['response-time-ms'] ?? headerMap['response-time-ms']);
  return {
    jobId: headerMap.jobid ?? trailerMap.jobid ?? null,
    bwsVersion: headerMap['bws-version'] ?? null,
    referenceNumber: headerMap['reference-number'] ?? trailerMap['reference-number'] ?? null,
    date: headerMap.date ?? null,
    responseTimeMs: Number.isFinite(responseTime) && (trailerMap['response-time-ms'] ?? headerMap['response-time-ms']) !== undefined ? responseTime : null,
    headers: headerMap,
    trailers: trailerMap,
  };
}
