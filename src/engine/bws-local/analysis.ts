import type { ImageProperties, JobError } from '../bws/messages.js';
import type { StillAnalysis, VisionEngine } from '../vision/types.js';

/** Side of the stored PNG face thumbnails. */
export const THUMBNAIL_SIZE = 256;

export interface AnalysedImage {
  properties: ImageProperties;
  /** Set when the image is not usable (no face, several faces, unreadable). */
  error: JobError | null;
  /** L2-normalised embedding of the single face (usable images only). */
  vector: Float32Array | null;
  analysis: StillAnalysis | null;
}

/**
 * Runs the engine's vision pipeline on one uploaded image and answers like BWS: ImageProperties with the
 * faces (the subject's own eyes) and quality assessments, and a job error for an image without exactly one
 * usable face. Images with a face are used even when the station's stricter enrollment gate would warn:
 * BWS itself only rejects faces it cannot encode.
 */
export async function analyseUpload(vision: VisionEngine, image: Uint8Array, index: number): Promise<AnalysedImage> {
  const analysis = await vision.analyzeStill(image, { name: `image ${index + 1}`, profile: 'enrollment', embedding: true });
  const gating = analysis.assessments.filter((assessment) => assessment.gating !== false);
  const properties: ImageProperties = {
    rotated: 0,
    faces: analysis.faces.map((face) => ({
      left_eye: { x: face.leftEye.x, y: face.leftEye.y },
      right_eye: { x: face.rightEye.x, y: face.rightEye.y },
      texture_liveness_score: face.liveness ?? 0,
      motion_liveness_score: 0,
      movement_direction: 0,
    })),
    quality_score: gating.length > 0 ? gating.reduce((sum, assessment) => sum + assessment.score, 0) / gating.length : 0,
    quality_assessments: analysis.assessments.map((assessment) => ({ check: assessment.check, score: assessment.score, message: assessment.message })),
    frame_number: 0,
  };
  const fail = (error_code: string, message: string): AnalysedImage => ({ properties, error: { error_code, message: `Image ${index + 1}: ${message}` }, vector: null, analysis });
  if (!analysis.ok) return fail('InvalidImage', analysis.error?.message ?? 'the image could not be decoded.');
  // The pipeline counts faces that matter (plausible, not a small background face or a painting).
  const countCheck = analysis.assessments.find((assessment) => assessment.check === 'singleFacePresent');
  const counted = typeof countCheck?.value === 'number' ? countCheck.value : analysis.faces.length;
  if (counted > 1) return fail('MultipleFacesFound', `${counted} faces were found; an enrollment image must show exactly one.`);
  if (counted === 0 || analysis.primary === null) return fail('FaceNotFound', 'no face was found.');
  const suitable = analysis.assessments.find((assessment) => assessment.check === 'SuitableFace');
  if (suitable && !suitable.pass) return fail('FaceNotFound', `the face found is not suitable: ${suitable.message}`);
  if (!analysis.embeddingVector) return fail('FaceNotFound', 'the face found is not suitable for a template.');
  return { properties, error: null, vector: analysis.embeddingVector, analysis };
}

/** ImageProperties for store-only mode: the image is counted, not analysed. */
export function unanalysedProperties(): ImageProperties {
  return { rotated: 0, faces: [], quality_score: 0, quality_assessments: [], frame_number: 0 };
}
