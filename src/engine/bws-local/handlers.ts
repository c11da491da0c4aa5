import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { StationError } from '../../shared/errors.js';
import { decodeClientKey } from '../bws/token.js';
import {
  type DeleteTemplateRequest,
  type FaceEnrollmentRequest,
  type FaceEnrollmentResponse,
  type FaceSearchRequest,
  type FaceSearchResponse,
  type FaceTemplateStatus,
  type FaceTemplateStatusRequest,
  type FaceVerificationRequest,
  type FaceVerificationResponse,
  type HealthCheckRequest,
  type SetTemplateTagsRequest,
  isoToTimestamp,
} from '../bws/messages.js';
import { stationVersion } from '../version.js';
import type { VisionEngine } from '../vision/types.js';
import { AnalysisGate, checkRequestPixels } from './admission.js';
import { GrpcFailure, JwtVerifier } from './auth.js';
import { type TemplateSpace, templateSpace } from './bcid.js';
import { type TemplateMode, analyseAll, enrollTemplate } from './lifecycle.js';
import { matchScore } from './matching.js';
import { RECLAIM_AFTER_PIXELS, reclaimMemory } from './reclaim.js';
import { DEFAULT_MAX_REQUEST_PIXELS } from './serve-limits.js';
import { type TemplateRecord, TemplateStore } from './template-store.js';

export const DEFAULT_MATCH_THRESHOLD = 0.4;

export type LocalBwsMode = 'vision' | 'store-only';

export interface LocalBwsServiceOptions {
  clientId: string;
  /** The client key: base64 (as the BWS portal shows it) or its bytes. */
  key: string | Uint8Array;
  /** Folder of the service's own files (templates.db). */
  dataDir: string;
  /** 32-byte key of the service's own encrypted database (not the queue's). */
  dbKey: Buffer;
  /** 'vision' (default): analyse every image. 'store-only': count images without analysing (benchmarks). */
  mode?: LocalBwsMode;
  /** A vision engine to share; without one the service creates its own on first need and closes it. */
  vision?: VisionEngine;
  /** Cosine similarity at which Verify says verified (default 0.4, the station's matchThreshold). */
  matchThreshold?: number;
  /** Storage name of the BCIDs this instance serves (default "bws"). */
  storage?: string;
  /** Partition id of the BCIDs this instance serves (default 1). */
  partition?: number;
  /** 'full' (default): keep a face thumbnail per enrolled image, so templates can be upgraded; 'standard': vectors only. */
  templateMode?: TemplateMode;
  /** Seal the compact templates too (slower Search); default: a plain index (the database file stays encrypted). */
  compactEncryption?: boolean;
  /** Encoder version recorded by a store-only service (default 1); a vision service uses its engine's. */
  encoderVersion?: number;
  /** Image analyses running at once (default 2); more wait in a queue. */
  maxConcurrentAnalyses?: number;
  /** Requests waiting for an analysis (default 16); past it RESOURCE_EXHAUSTED. */
  maxQueuedAnalyses?: number;
  /** Pixels of all images of one request together (default 100 MP); past it INVALID_ARGUMENT, before decoding. */
  maxRequestPixels?: number;
  /** One line per call (method, BCID, outcome): never images, vectors, keys or tokens. */
  log?: (line: string) => void;
}

export interface LocalBwsHandlers {
  /** Implementation of bioid.services.v1.FaceRecognition: wrap these to inject faults. */
  faceRecognition: grpc.UntypedServiceImplementation;
  /** Implementation of grpc.health.v1.Health. */
  health: grpc.UntypedServiceImplementation;
  store: TemplateStore;
  mode: LocalBwsMode;
  /** The storage name and partition id of every template this service serves. */
  space: TemplateSpace;
  templateMode: TemplateMode;
  close(): Promise<void>;
}

type Body<Req, Res> = (request: Req) => Promise<Res>;

/**
 * Builds the local BWS service's handlers, independent of any server, so a test or a fault-injecting server
 * can register them (or wrap them) on its own grpc.Server. Behaviour follows bws-api.md: JWT on every method,
 * INVALID_ARGUMENT for class ids <= 0, headers jobid / bws-version / reference-number / date, trailer
 * response-time-ms.
 */
export function createLocalBwsHandlers(options: LocalBwsServiceOptions): LocalBwsHandlers {
  const mode = options.mode ?? 'vision';
  const verifier = new JwtVerifier(options.clientId, typeof options.key === 'string' ? decodeClientKey(options.key) : options.key);
  const space = templateSpace(options.storage, options.partition);
  const templateMode = options.templateMode ?? 'full';
  if (templateMode !== 'full' && templateMode !== 'standard') throw new StationError('USAGE', `Unknown template mode "${String(templateMode)}": use full or standard.`);
  const store = new TemplateStore(options.dataDir, options.dbKey, { ...space, compactEncryption: options.compactEncryption ?? false });
  const log = options.log ?? (() => undefined);
  const threshold = options.matchThreshold ?? DEFAULT_MATCH_THRESHOLD;
  const bwsVersion = `3.0.0-local (enrollment-station ${stationVersion()})`;
  let ownVision: Promise<VisionEngine> | undefined;
  const gate = new AnalysisGate(options.maxConcurrentAnalyses, options.maxQueuedAnalyses);
  const maxRequestPixels = options.maxRequestPixels ?? DEFAULT_MAX_REQUEST_PIXELS;
  /**
   * Vision work runs through the gate after a header-only pixel check; store-only work decodes nothing. After
   * a large request the memory of its decoded images is reclaimed at once rather than whenever V8 gets to it.
   */
  const analysing = async <T>(images: ReadonlyArray<{ image: Uint8Array }>, work: () => Promise<T>): Promise<T> => {
    if (mode === 'store-only') return work();
    const pixels = await checkRequestPixels(images, maxRequestPixels);
    return gate.run(work, pixels >= RECLAIM_AFTER_PIXELS ? reclaimMemory : undefined);
  };

  const vision = (): Promise<VisionEngine> => {
    if (options.vision) return Promise.resolve(options.vision);
    ownVision ??= loadVisionEngine();
    return ownVision;
  };

  const unary = <Req, Res>(body: Body<Req, Res>): grpc.handleUnaryCall<Req, Res> => {
    return (call, callback) => {
      const started = performance.now();
      const headers = new grpc.Metadata();
      headers.set('jobid', randomUUID());
      headers.set('bws-version', bwsVersion);
      const reference = call.metadata.get('reference-number')[0];
      if (typeof reference === 'string' && reference) headers.set('reference-number', reference);
      headers.set('date', new Date().toUTCString());
      // Not a BWS header: the local service names the template a call addresses (admin output shows it).
      const addressed = validClassId((call.request as { classId?: string } | undefined)?.classId);
      if (addressed) headers.set('bcid', store.bcid(addressed));
      call.sendMetadata(headers);
      const trailer = () => {
        const metadata = new grpc.Metadata();
        metadata.set('response-time-ms', String(Math.round(performance.now() - started)));
        return metadata;
      };
      verifier
        .check(call.metadata)
        .then(() => body(call.request))
        .then(
          (response) => callback(null, response, trailer()),
          (error: unknown) => {
            const failure = error instanceof GrpcFailure ? error : new GrpcFailure(grpc.status.INTERNAL, `Internal error: ${(error as Error).message ?? String(error)}`);
            callback({ code: failure.code, details: failure.details, metadata: trailer() });
          },
        );
    };
  };

  const statusOf = (classId: string, record: TemplateRecord | null, withThumbnails: boolean): FaceTemplateStatus => {
    if (!record) return { classId, available: false, enrolled: null, tags: [], encoder_version: 0, feature_vectors: 0, thumbnails_stored: 0, thumbnails: [] };
    return {
      classId,
      available: true,
      enrolled: isoToTimestamp(record.enrolledAt),
      tags: record.tags,
      encoder_version: record.encoderVersion,
      feature_vectors: record.featureVectors,
      thumbnails_stored: record.thumbnailsStored,
      thumbnails: withThumbnails ? store.thumbnails(classId).map((thumb) => ({ enrolled: isoToTimestamp(thumb.enrolledAt), image: thumb.image })) : [],
    };
  };

  // One Enroll or Delete at a time per template: an upgrade reads, recomputes and replaces its vectors.
  const queues = new Map<string, Promise<unknown>>();
  const serialised = <T>(classId: string, work: () => Promise<T>): Promise<T> => {
    const previous = queues.get(classId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    queues.set(classId, next);
    void next.catch(() => undefined).then(() => {
      if (queues.get(classId) === next) queues.delete(classId);
    });
    return next;
  };

  const lifecycle = { store, templateMode, vision: mode === 'store-only' ? null : vision, storeOnlyEncoderVersion: options.encoderVersion ?? 1 };

  const enroll: Body<FaceEnrollmentRequest, FaceEnrollmentResponse> = async (request) => {
    const classId = requireClassId(request.classId);
    const images = request.images ?? [];
    return serialised(classId, async () => {
      const outcome = await analysing(images, () => enrollTemplate(lifecycle, classId, images));
      const record = store.get(classId);
      log(`Enroll ${store.bcid(classId)}: ${outcome.action}, ${outcome.enrolledImages} of ${(request.images ?? []).length} image(s) enrolled${record ? `, ${record.featureVectors} vector(s), ${record.thumbnailsStored} thumbnail(s), encoder version ${record.encoderVersion}` : ''}`);
      return { status: 'SUCCEEDED', errors: outcome.errors, image_properties: outcome.properties, performed_action: outcome.action, enrolled_images: outcome.enrolledImages, template_status: statusOf(classId, record, false) };
    });
  };

  const requireComparison = () => {
    if (mode === 'store-only') throw new GrpcFailure(grpc.status.FAILED_PRECONDITION, 'This local service runs in store-only mode: it keeps counts, not faces, so it cannot compare.');
  };

  const verify: Body<FaceVerificationRequest, FaceVerificationResponse> = async (request) => {
    const classId = requireClassId(request.classId);
    requireComparison();
    if (!request.image || request.image.image.length === 0) throw new GrpcFailure(grpc.status.INVALID_ARGUMENT, 'Verify needs an image.');
    if (!store.get(classId)) throw new GrpcFailure(grpc.status.NOT_FOUND, `No template for class id ${classId} (${store.bcid(classId)}).`);
    const image = request.image;
    const [probe] = await analysing([image], async () => analyseAll(await vision(), [image]));
    if (!probe?.vector) return { status: 'SUCCEEDED', errors: probe?.error ? [probe.error] : [], image_properties: probe?.properties ?? null, verified: false, score: 0 };
    const score = matchScore(probe.vector, store.compact({ classId }).get(classId) ?? []);
    log(`Verify ${store.bcid(classId)}: ${score >= threshold ? 'verified' : 'not verified'}`);
    return { status: 'SUCCEEDED', errors: [], image_properties: probe.properties, verified: score >= threshold, score };
  };

  const search: Body<FaceSearchRequest, FaceSearchResponse> = async (request) => {
    requireComparison();
    const images = request.images ?? [];
    if (images.length === 0) throw new GrpcFailure(grpc.status.INVALID_ARGUMENT, 'Search needs at least one image.');
    const templates = store.compact({ tags: request.tags ?? [] });
    const analysed = await analysing(images, async () => analyseAll(await vision(), images));
    const result = analysed.map((probe) => {
      if (!probe.vector) return { matches: [] };
      const matches = [...templates.entries()]
        .map(([classId, compact]) => ({ classId, score: matchScore(probe.vector!, compact) }))
        .sort((a, b) => b.score - a.score);
      return { matches: request.top_matches ? matches.filter((match) => match.score >= threshold).slice(0, 10) : matches.slice(0, 100) };
    });
    log(`Search ${space.storage}/${space.partition}: ${images.length} image(s) against ${templates.size} template(s)`);
    return { status: 'SUCCEEDED', errors: analysed.flatMap((item) => (item.error ? [item.error] : [])), image_properties: analysed.map((item) => item.properties), result };
  };

  const faceRecognition: grpc.UntypedServiceImplementation = {
    Enroll: unary(enroll),
    Verify: unary(verify),
    Search: unary(search),
    GetTemplateStatus: unary<FaceTemplateStatusRequest, FaceTemplateStatus>(async (request) => {
      const classId = requireClassId(request.classId);
      return statusOf(classId, store.get(classId), Boolean(request.download_thumbnails));
    }),
    DeleteTemplate: unary<DeleteTemplateRequest, Record<string, never>>(async (request) => {
      const classId = requireClassId(request.classId);
      return serialised(classId, async () => {
        if (!store.delete(classId)) throw new GrpcFailure(grpc.status.NOT_FOUND, `No template for class id ${classId} (${store.bcid(classId)}).`);
        log(`DeleteTemplate ${store.bcid(classId)}: deleted (vectors, thumbnails, tags)`);
        return {};
      });
    }),
    SetTemplateTags: unary<SetTemplateTagsRequest, Record<string, never>>(async (request) => {
      const classId = requireClassId(request.classId);
      if (!store.setTags(classId, request.tags ?? [])) throw new GrpcFailure(grpc.status.NOT_FOUND, `No template for class id ${classId} (${store.bcid(classId)}).`);
      log(`SetTemplateTags ${store.bcid(classId)}: ${(request.tags ?? []).length} tag(s)`);
      return {};
    }),
  };

  const servingStatus = (service: string) => (service === '' || service === 'liveness' || service === 'readiness' ? 'SERVING' : null);
  const health: grpc.UntypedServiceImplementation = {
    Check: ((call: grpc.ServerUnaryCall<HealthCheckRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const status = servingStatus(call.request.service);
      if (!status) callback({ code: grpc.status.NOT_FOUND, details: `Unknown service "${call.request.service}".` });
      else callback(null, { status });
    }) as grpc.handleUnaryCall<HealthCheckRequest, unknown>,
    Watch: ((call: grpc.ServerWritableStream<HealthCheckRequest, unknown>) => {
      // The status never changes while the service runs: send it once and keep the stream open.
      call.write({ status: servingStatus(call.request.service) ?? 'SERVICE_UNKNOWN' });
    }) as grpc.handleServerStreamingCall<HealthCheckRequest, unknown>,
  };

  return {
    faceRecognition,
    health,
    store,
    mode,
    space,
    templateMode,
    async close() {
      store.close();
      if (ownVision) await (await ownVision.catch(() => null))?.close();
    },
  };
}

/** The class id of a request when it is a valid one (for the bcid header); null otherwise. */
function validClassId(value: string | number | undefined): string | null {
  try {
    return value === undefined ? null : requireClassId(value);
  } catch {
    return null;
  }
}

/** int64 class id as received (decimal string): must be 1 .. 2^63-1. */
function requireClassId(value: string | number | undefined): string {
  const text = String(value ?? '0');
  let parsed: bigint;
  try {
    parsed = BigInt(text);
  } catch {
    throw new GrpcFailure(grpc.status.INVALID_ARGUMENT, `classId "${text}" is not a number.`);
  }
  if (parsed <= 0n) throw new GrpcFailure(grpc.status.INVALID_ARGUMENT, `classId must be a positive number (got ${text}).`);
  return parsed.toString();
}

/** The engine's vision pipeline, created on first need (its ONNX sessions load once). */
async function loadVisionEngine(): Promise<VisionEngine> {
  // Loaded lazily so store-only services and tests of other methods never load the models.
  const { createVisionEngine } = await import('../vision/index.js');
  return createVisionEngine();
}
