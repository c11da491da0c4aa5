import type { ImageAnalysis, LiveFrame, LiveGuidance } from '../../shared/schemas.js';

/**
 * The vision engine's interface, used by enrollment, the local BWS service and the engine host.
 * One instance per engine process: it owns the ONNX sessions (created once, reused for every image).
 */
export type GateProfile = 'enrollment' | 'icao';

/**
 * Milliseconds per stage of one analysis (filled in when the caller passes an object; used by the bench).
 * Model stages (detect, landmarks, pose, embed, liveness, eyes) run from launch to result; the JavaScript crops
 * (poseInput, align, livenessInput, eyesInput, photometry) are cut while a model runs, so stages overlap and
 * their sum exceeds `total`.
 */
export type StageTimings = Partial<Record<
  'decode' | 'detectInput' | 'detect' | 'landmarks' | 'poseInput' | 'pose' | 'align' | 'embed' | 'livenessInput' | 'liveness' | 'eyesInput' | 'eyes' | 'photometry' | 'quality' | 'total',
  number
>>;

export interface AnalyzeOptions {
  /** Shown in results and errors (a file name); never a path to biometric data in logs. */
  name?: string;
  /** Gate profile for `accepted` (default 'enrollment'). */
  profile?: GateProfile;
  /** Compute the 512-d embedding of the primary face (default true). */
  embedding?: boolean;
  /** Also return the 68 landmarks of every face (tests, debugging). */
  landmarks?: boolean;
  /** Filled with per-stage milliseconds. */
  timings?: StageTimings;
}

/** Full analysis of a still plus what later steps need without decoding again. */
export interface StillAnalysis extends ImageAnalysis {
  /** L2-normalised 512-d embedding of the primary face (when requested and a face was found). */
  embeddingVector?: Float32Array;
  /** 68 iBUG landmarks per face, in the order of `faces` (only when requested). */
  landmarks?: Array<Array<{ x: number; y: number }>>;
}

export interface VisionEngine {
  /** Version of the embedding encoder (the manifest's embedding entry `encoderVersion`, default 1). */
  readonly encoderVersion: number;
  /** Decodes (EXIF upright, alpha flattened) and analyses an encoded image. Bad input gives ok=false + error. */
  analyzeStill(image: Uint8Array, options?: AnalyzeOptions): Promise<StillAnalysis>;
  /** Fast path for a raw RGBA preview frame (<= 640x480). */
  analyzeFrame(frame: LiveFrame): Promise<LiveGuidance>;
  /** PNG face thumbnail of face `faceIndex` (a square crop around the face, at most `size` px). */
  faceThumbnail(image: Uint8Array, analysis: ImageAnalysis, faceIndex: number, size?: number): Promise<Buffer>;
  /** The image BWS wants: a 3:4 portrait crop around the primary face, at most maxWidth x maxWidth*4/3, PNG. */
  portraitCrop(image: Uint8Array, analysis: ImageAnalysis, maxWidth?: number): Promise<Buffer>;
  close(): Promise<void>;
}
