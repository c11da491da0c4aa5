/**
 * TypeScript shapes of the BWS 3 messages as @grpc/proto-loader gives and takes them with LOADER_OPTIONS
 * (keepCase, longs: String, enums: String, defaults: true). Hand-written from proto/*.proto; field names are
 * the proto names. int64 values are decimal strings. Enum fields are the value's name, or its number when
 * the value is unknown to this build (a newer service): see normaliseAction().
 */

/** An enum value this build does not know (a newer service): kept, never a crash. */
export type UnknownEnum = `UNKNOWN(${number})`;

/** Decimal string of an int64 (class ids: "1" .. "9223372036854775807"). */
export type Int64 = string;

export interface Timestamp {
  seconds: Int64;
  nanos: number;
}

export const JOB_STATUSES = ['SUCCEEDED', 'FAULTED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const ENROLLMENT_ACTIONS = ['NONE', 'NEW_TEMPLATE_CREATED', 'TEMPLATE_UPDATED', 'TEMPLATE_UPGRADED', 'TEMPLATE_IMPORTED', 'ENROLLMENT_FAILED'] as const;
export type EnrollmentAction = (typeof ENROLLMENT_ACTIONS)[number];

export interface ImageData {
  image: Uint8Array;
  tags: string[];
}

export interface PointD {
  x: number;
  y: number;
}

export interface Face {
  left_eye: PointD | null;
  right_eye: PointD | null;
  texture_liveness_score: number;
  motion_liveness_score: number;
  movement_direction: number;
}

export interface QualityAssessment {
  check: string;
  score: number;
  message: string;
}

export interface ImageProperties {
  rotated: number;
  faces: Face[];
  quality_score: number;
  quality_assessments: QualityAssessment[];
  frame_number: number;
}

export interface JobError {
  error_code: string;
  message: string;
}

export interface Thumbnail {
  enrolled: Timestamp | null;
  image: Uint8Array;
}

export interface FaceTemplateStatus {
  classId: Int64;
  available: boolean;
  enrolled: Timestamp | null;
  tags: string[];
  encoder_version: number;
  feature_vectors: number;
  thumbnails_stored: number;
  thumbnails: Thumbnail[];
}

export interface FaceEnrollmentRequest {
  classId: Int64;
  images: ImageData[];
}

export interface FaceEnrollmentResponse {
  status: JobStatus | UnknownEnum | number;
  errors: JobError[];
  image_properties: ImageProperties[];
  performed_action: EnrollmentAction | UnknownEnum | number;
  enrolled_images: number;
  template_status: FaceTemplateStatus | null;
}

export interface FaceVerificationRequest {
  classId: Int64;
  image: ImageData | null;
}

export interface FaceVerificationResponse {
  status: JobStatus | UnknownEnum | number;
  errors: JobError[];
  image_properties: ImageProperties | null;
  verified: boolean;
  score: number;
}

export interface FaceSearchRequest {
  images: ImageData[];
  tags: string[];
  top_matches: boolean;
}

export interface TemplateMatchResult {
  classId: Int64;
  score: number;
}

export interface SearchResult {
  matches: TemplateMatchResult[];
}

export interface FaceSearchResponse {
  status: JobStatus | UnknownEnum | number;
  errors: JobError[];
  image_properties: ImageProperties[];
  result: SearchResult[];
}

export interface SetTemplateTagsRequest {
  classId: Int64;
  tags: string[];
}

export interface FaceTemplateStatusRequest {
  classId: Int64;
  download_thumbnails: boolean;
}

export interface DeleteTemplateRequest {
  classId: Int64;
}

// Empty responses.
export type SetTemplateTagsResponse = Record<string, never>;
export type DeleteTemplateResponse = Record<string, never>;

export interface HealthCheckRequest {
  service: string;
}

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthCheckResponse {
  status: ServingStatus | UnknownEnum | number;
}

/** An enum value as received: a known name, or `UNKNOWN(<n>)` for a value this build does not know. */
export function normaliseEnum<T extends string>(value: T | number | string | null | undefined, known: readonly T[]): T | UnknownEnum {
  if (typeof value === 'string' && (known as readonly string[]).includes(value)) return value as T;
  if (typeof value === 'string' && /^UNKNOWN\(-?\d+\)$/.test(value)) return value as UnknownEnum;
  const number = typeof value === 'number' ? value : Number(value);
  return `UNKNOWN(${Number.isFinite(number) ? number : 0})`;
}

export function normaliseAction(value: FaceEnrollmentResponse['performed_action']): EnrollmentAction | UnknownEnum {
  return normaliseEnum(value, ENROLLMENT_ACTIONS);
}

export function normaliseStatus(value: FaceEnrollmentResponse['status']): JobStatus | UnknownEnum {
  return normaliseEnum(value, JOB_STATUSES);
}

/** Timestamp -> ISO string (null when absent). Seconds fit a double exactly for any realistic date. */
export function timestampToIso(value: Timestamp | null | undefined): string | null {
  if (!value) return null;
  const ms = Number(value.seconds) * 1000 + Math.floor(value.nanos / 1e6);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function isoToTimestamp(iso: string): Timestamp {
  const ms = Date.parse(iso);
  return { seconds: String(Math.floor(ms / 1000)), nanos: (((ms % 1000) + 1000) % 1000) * 1e6 };
}
