import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { StationError } from '../../shared/errors.js';

/**
 * Loads the BWS 3 wire contract from the repository's proto/ folder (the same files in src/ for tests and
 * dist/ for the CLI). Loader options are part of the contract of every module here:
 *  - keepCase: field names exactly as in the proto (`classId`, `performed_action`, ...);
 *  - longs: String: int64 class ids are decimal strings and never pass through a JS number;
 *  - enums: String (unknown values come through as their number: callers normalise them);
 *  - defaults + oneofs: every field present, so readers need no undefined checks.
 */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

export const FACE_RECOGNITION_SERVICE = 'bioid.services.v1.FaceRecognition';
export const HEALTH_SERVICE = 'grpc.health.v1.Health';

/** The proto/ folder: walks up from this module until it finds proto/facerecognition.proto. */
export function protoDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'proto');
    if (fs.existsSync(path.join(candidate, 'facerecognition.proto')) && fs.existsSync(path.join(dir, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new StationError('INTERNAL', 'Cannot find the proto/ folder (facerecognition.proto) next to the station program.');
    dir = parent;
  }
}

let cached: { definition: protoLoader.PackageDefinition; grpcObject: grpc.GrpcObject } | undefined;

/** One package definition for the BWS service and the health service (loaded once per process). */
export function loadBwsProto(): { definition: protoLoader.PackageDefinition; grpcObject: grpc.GrpcObject } {
  if (!cached) {
    const dir = protoDir();
    const definition = protoLoader.loadSync(['facerecognition.proto', 'grpc/health/v1/health.proto'], { ...LOADER_OPTIONS, includeDirs: [dir] });
    cached = { definition, grpcObject: grpc.loadPackageDefinition(definition) };
  }
  return cached;
}

export function faceRecognitionDefinition(): grpc.ServiceDefinition {
  return serviceDefinition(FACE_RECOGNITION_SERVICE);
}

export function healthDefinition(): grpc.ServiceDefinition {
  return serviceDefinition(HEALTH_SERVICE);
}

function serviceDefinition(name: string): grpc.ServiceDefinition {
  const entry = loadBwsProto().definition[name];
  if (!entry || 'format' in entry) throw new StationError('INTERNAL', `The proto files do not define the service ${name}.`);
  return entry as unknown as grpc.ServiceDefinition;
}

/** The generated client constructor for a service (FaceRecognition or Health). */
export function clientConstructor(name: typeof FACE_RECOGNITION_SERVICE | typeof HEALTH_SERVICE): grpc.ServiceClientConstructor {
  let node: unknown = loadBwsProto().grpcObject;
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

/** Serialises a request or response exactly as it goes on the wire (used for size checks and golden tests). */
export function encodeMessage(method: string, kind: 'request' | 'response', value: unknown): Buffer {
  const definition = faceRecognitionDefinition()[method];
  if (!definition) throw new StationError('INTERNAL', `Unknown BWS method ${method}.`);
  return kind === 'request' ? definition.requestSerialize(value) : definition.responseSerialize(value);
}

export function decodeMessage<T>(method: string, kind: 'request' | 'response', bytes: Buffer): T {
  const definition = faceRecognitionDefinition()[method];
  if (!definition) throw new StationError('INTERNAL', `Unknown BWS method ${method}.`);
  return (kind === 'request' ? definition.requestDeserialize(bytes) : definition.responseDeserialize(bytes)) as T;
}
