import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
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
  type ImageProperties,
  type JobError,
  type SetTemplateTagsRequest,
  isoToTimestamp,
} from '../bws/messages.js';
import { stationVersion } from '../version.js';
import type { VisionEngine } from '../vision/types.js';
import { type AnalysedImage, THUMBNAIL_SIZE, analyseUpload, templateScore, unanalysedProperties } from './analysis.js';
import { GrpcFailure, JwtVerifier } from './auth.js';
import { type NewFeature, type TemplateRecord, TemplateStore } from './template-store.js';

/** The local service's encoder version (stored per template, reported in FaceTemplateStatus). */
export const LOCAL_ENCODER_VERSION = 1;
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
}

export interface LocalBwsHandlers {
  /** Implementation of bioid.services.v1.FaceRecognition: wrap these to inject faults. */
  faceRecognition: grpc.UntypedServiceImplementation;
  /** Implementation of grpc.health.v1.Health. */
  health: grpc.UntypedServiceImplementation;
  store: TemplateStore;
  mode: LocalBwsMode;
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
  const store = new TemplateStore(options.dataDir, options.dbKey);
  const threshold = options.matchThreshold ?? DEFAULT_MATCH_THRESHOLD;
  const bwsVersion = `3.0.0-local (enrollment-station ${stationVersion()})`;
  let ownVision: Promise<VisionEngine> | undefined;

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

  const analyseAll = async (images: Array<{ image: Uint8Array }>): Promise<AnalysedImage[]> => {
    const engine = await vision();
    const results: AnalysedImage[] = [];
    // One at a time: the ONNX sessions are shared and the machine has few cores.
    for (const [index, item] of images.entries()) results.push(await analyseUpload(engine, item.image, index));
    return results;
  };

  const enroll: Body<FaceEnrollmentRequest, FaceEnrollmentResponse> = async (request) => {
    const classId = requireClassId(request.classId);
    const images = request.images ?? [];
    if (images.length === 0) {
      return { status: 'SUCCEEDED', errors: [], image_properties: [], performed_action: 'NONE', enrolled_images: 0, template_status: statusOf(classId, store.get(classId), false) };
    }
    let properties: ImageProperties[];
    let errors: JobError[] = [];
    let features: NewFeature[];
    if (mode === 'store-only') {
      properties = images.map(() => unanalysedProperties());
      features = images.map(() => ({ vector: null, thumbnail: null }));
    } else {
      const engine = await vision();
      const analysed = await analyseAll(images);
      properties = analysed.map((item) => item.properties);
      errors = analysed.flatMap((item) => (item.error ? [item.error] : []));
      features = [];
      for (const [index, item] of analysed.entries()) {
        if (!item.vector || !item.analysis) continue;
        let thumbnail: Buffer | null = null;
        try {
          thumbnail = await engine.faceThumbnail(images[index]!.image, item.analysis, item.analysis.primary ?? 0, THUMBNAIL_SIZE);
        } catch {
          errors.push({ error_code: 'ThumbnailExtractionFailed', message: `Image ${index + 1}: the face thumbnail could not be extracted.` });
        }
        features.push({ vector: item.vector, thumbnail });
      }
    }
    if (features.length === 0) {
      return { status: 'SUCCEEDED', errors, image_properties: properties, performed_action: 'ENROLLMENT_FAILED', enrolled_images: 0, template_status: statusOf(classId, store.get(classId), false) };
    }
    const { created } = store.addFeatures(classId, features, LOCAL_ENCODER_VERSION);
    return {
      status: 'SUCCEEDED',
      errors,
      image_properties: properties,
      performed_action: created ? 'NEW_TEMPLATE_CREATED' : 'TEMPLATE_UPDATED',
      enrolled_images: features.length,
      template_status: statusOf(classId, store.get(classId), false),
    };
  };

  const requireComparison = () => {
    if (mode === 'store-only') throw new GrpcFailure(grpc.status.FAILED_PRECONDITION, 'This local service runs in store-only mode: it keeps counts, not faces, so it cannot compare.');
  };

  const verify: Body<FaceVerificationRequest, FaceVerificationResponse> = async (request) => {
    const classId = requireClassId(request.classId);
    requireComparison();
    if (!request.image || request.image.image.length === 0) throw new GrpcFailure(grpc.status.INVALID_ARGUMENT, 'Verify needs an image.');
    const vectors = store.vectors({ classId }).get(classId);
    if (!store.get(classId)) throw new GrpcFailure(grpc.status.NOT_FOUND, `No template for class id ${classId}.`);
    const [probe] = await analyseAll([request.image]);
    if (!probe?.vector) return { status: 'SUCCEEDED', errors: probe?.error ? [probe.error] : [], image_properties: probe?.properties ?? null, verified: false, score: 0 };
    const score = templateScore(probe.vector, vectors ?? []);
    return { status: 'SUCCEEDED', errors: [], image_properties: probe.properties, verified: score >= threshold, score };
  };

  const search: Body<FaceSearchRequest, FaceSearchResponse> = async (request) => {
    requireComparison();
    const images = request.images ?? [];
    if (images.length === 0) throw new GrpcFailure(grpc.status.INVALID_ARGUMENT, 'Search needs at least one image.');
    const templates = store.vectors({ tags: request.tags ?? [] });
    const analysed = await analyseAll(images);
    const result = analysed.map((probe) => {
      if (!probe.vector) return { matches: [] };
      const matches = [...templates.entries()]
        .map(([classId, vectors]) => ({ classId, score: templateScore(probe.vector!, vectors) }))
        .sort((a, b) => b.score - a.score);
      return { matches: request.top_matches ? matches.filter((match) => match.score >= threshold).slice(0, 10) : matches.slice(0, 100) };
    });
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
      if (!store.delete(classId)) throw new GrpcFailure(grpc.status.NOT_FOUND, `No template for class id ${classId}.`);
      return {};
    }),
    SetTemplateTags: unary<SetTemplateTagsRequest, Record<string, never>>(async (request) => {
      const classId = requireClassId(request.classId);
      if (!store.setTags(classId, request.tags ?? [])) throw new GrpcFailure(grpc.status.NOT_FOUND, `No template for class id ${classId}.`);
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
    async close() {
      store.close();
      if (ownVision) await (await ownVision.catch(() => null))?.close();
    },
  };
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
