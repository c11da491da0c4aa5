import { StationError, toErrorInfo } from '../../shared/errors.js';
import type { ImageAnalysis } from '../../shared/schemas.js';
import { alignFace } from './align.js';
import type { QualityThresholds } from './config.js';
import { type DecodedImage, decodeImage } from './decode.js';
import { type Detection, boxArea, choosePrimary, detectFaces, stillDetectorInput } from './detect.js';
import { embeddingInputFrom, runEmbedding } from './embed.js';
import { eyesInputs, runEyes } from './eyes.js';
import { type Point, distance } from './geometry.js';
import { fivePoints, landmarkInput, runLandmarks, subjectEyes } from './landmarks.js';
import { livenessInput, runLiveness } from './liveness.js';
import { type Photometry, faceDetail, measureFace } from './photometry.js';
import type { Raster } from './raster.js';
import { poseInput, runPose } from './pose.js';
import { type FaceFacts, assessStill } from './quality.js';
import type { Sessions } from './sessions.js';
import type { AnalyzeOptions, StageTimings, StillAnalysis } from './types.js';

/** At most this many faces get landmarks and pose (crowds and textured backgrounds). */
const MAX_FACES = 10;

const now = (): number => performance.now();

/**
 * The full still-image analysis: decode -> detect -> landmarks -> align/embed, liveness, pose, eyes -> checks.
 * The sessions may still be loading: the image is decoded meanwhile, and a failure to load them is thrown even
 * when the image could not be decoded.
 */
export async function analyzeStill(loading: Sessions | Promise<Sessions>, t: QualityThresholds, bytes: Uint8Array, options: AnalyzeOptions = {}): Promise<StillAnalysis> {
  const name = options.name ?? 'image';
  const profile = options.profile ?? 'enrollment';
  const timings: StageTimings = options.timings ?? {};
  const start = now();
  let image: DecodedImage;
  let detectInput: Float32Array;
  let mark = start;
  try {
    // One decode to upright RGB; the detector's 320x240 is derived from those pixels, not decoded again.
    image = await decodeImage(bytes, t);
    timings.decode = now() - start;
    mark = now();
    detectInput = await stillDetectorInput(image);
    timings.detectInput = now() - mark;
  } catch (error) {
    if (!(error instanceof StationError)) throw error;
    await loading;
    return { file: name, ok: false, error: toErrorInfo(error), width: 0, height: 0, faces: [], primary: null, assessments: [], accepted: false, profile };
  }
  const sessions = await loading;

  mark = now();
  const found = (await detectFaces(sessions.detector, detectInput, image.width, image.height, t.detectScoreMin, t.nmsIou)).slice(0, MAX_FACES);
  timings.detect = now() - mark;

  // The models run one after another on the inference worker, fed as a queue: each input is posted as soon as
  // it is cut, so the worker goes from one model to the next while this thread cuts the following inputs
  // (pose needs only the boxes; alignment, liveness and eye crops need the landmarks). Stage timings run from
  // posting to result and therefore overlap.
  const landmarksRun = launch(timings, 'landmarks', () => Promise.all(found.map((d) => runLandmarks(sessions.landmarks, landmarkInput(image, d.box)))));
  const posesRun = launch(timings, 'pose', () => Promise.all(found.map((d) => runPose(sessions.pose, timed(timings, 'poseInput', () => poseInput(image, d.box))))));
  const foundLandmarks = await landmarksRun;
  // A detection without the detail of a face (a flat drawn shape) is no face at all: it is not reported.
  const faceIndices = found.map((_, i) => i).filter((i) => hasFaceDetail(image, foundLandmarks[i]!, t));
  const detections = faceIndices.map((i) => found[i]!);
  const landmarks = faceIndices.map((i) => foundLandmarks[i]!);

  const plausible = detections.map((d, i) => isPlausibleFace(d, landmarks[i]!));
  // Prefer plausible faces for the primary choice: a painting or bokeh blob must not win on size.
  const plausibleIdx = detections.map((_, i) => i).filter((i) => plausible[i]);
  const pool = plausibleIdx.length > 0 ? plausibleIdx : detections.map((_, i) => i);
  const chosen = choosePrimary(pool.map((i) => detections[i]!), t.primaryScoreMargin);
  const primary = chosen === null ? null : pool[chosen]!;

  let embeddingVector: Float32Array | undefined;
  let photometry: Photometry | null = null;
  let liveness: number | null = null;
  let eyesOpen: number | null = null;
  if (primary !== null) {
    const points = landmarks[primary]!;
    const box = detections[primary]!.box;
    const embedRun = options.embedding === false ? null
      : launch(timings, 'embed', () => runEmbedding(sessions.embedding, timed(timings, 'align', () => embeddingInputFrom(alignFace(image, fivePoints(points))))));
    const livenessRun = launch(timings, 'liveness', () => runLiveness(sessions.liveness, timed(timings, 'livenessInput', () => livenessInput(image, box))));
    const eyesRun = launch(timings, 'eyes', () => runEyes(sessions.eyes, timed(timings, 'eyesInput', () => eyesInputs(image, points))));
    photometry = timed(timings, 'photometry', () => measureFace(image, points));
    if (embedRun) embeddingVector = await embedRun;
    liveness = await livenessRun;
    eyesOpen = await eyesRun;
  }
  const foundPoses = await posesRun;
  const poses = faceIndices.map((i) => foundPoses[i]!);

  const faces: FaceFacts[] = detections.map((d, i) => {
    const raw = poses[i]!;
    return {
      box: d.box,
      score: d.score,
      points: landmarks[i]!,
      ...subjectEyes(landmarks[i]!),
      pose: { yaw: raw.yaw, pitch: raw.pitchRaw + t.pitchOffset, roll: raw.roll, pitchRaw: raw.pitchRaw },
      liveness: i === primary ? liveness : null,
      eyesOpen: i === primary ? eyesOpen : null,
      plausible: plausible[i]!,
    };
  });

  mark = now();
  const primaryArea = primary === null ? 0 : boxArea(detections[primary]!.box);
  const counted = detections.filter((d, i) => i === primary || (plausible[i] && d.score >= t.secondaryScoreMin && boxArea(d.box) >= t.secondaryAreaRatio * primaryArea)).length;
  const { assessments, accepted } = assessStill(
    { width: image.width, height: image.height, faces, primary, countedFaces: counted, ignoredFaces: detections.length - counted, photometry },
    t,
    profile,
  );
  timings.quality = now() - mark;
  timings.total = now() - start;

  const result: StillAnalysis = {
    file: name,
    ok: true,
    width: image.width,
    height: image.height,
    faces: faces.map((f) => ({
      box: f.box.map((v) => round1(v)) as [number, number, number, number],
      score: Number(f.score.toFixed(4)),
      leftEye: { x: round1(f.leftEye.x), y: round1(f.leftEye.y) },
      rightEye: { x: round1(f.rightEye.x), y: round1(f.rightEye.y) },
      pose: { yaw: round1(f.pose.yaw), pitch: round1(f.pose.pitch), roll: round1(f.pose.roll), pitchRaw: round1(f.pose.pitchRaw) },
      liveness: f.liveness === null ? null : Number(f.liveness.toFixed(4)),
      eyesOpen: f.eyesOpen === null ? null : Number(f.eyesOpen.toFixed(4)),
    })),
    primary,
    assessments,
    accepted,
    profile,
  };
  if (embeddingVector) result.embeddingVector = embeddingVector;
  if (options.landmarks) result.landmarks = faces.map((f) => f.points.map((p) => ({ x: round1(p.x), y: round1(p.y) })));
  return result;
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/**
 * Starts model work (whose inputs are cut and posted synchronously) and times it from now to its result. A
 * failure is still thrown where the promise is awaited; the empty catch only keeps a run that fails while an
 * earlier one is being awaited from counting as an unhandled rejection.
 */
function launch<T>(timings: StageTimings, key: keyof StageTimings, start: () => Promise<T>): Promise<T> {
  const begin = now();
  const promise = start().then((value) => {
    timings[key] = now() - begin;
    return value;
  });
  promise.catch(() => undefined);
  return promise;
}

/** Synchronous JavaScript work, its time added to `timings[key]`. */
function timed<T>(timings: StageTimings, key: keyof StageTimings, work: () => T): T {
  const start = now();
  const result = work();
  // Summed: the pose crop is cut once per face.
  timings[key] = (timings[key] ?? 0) + now() - start;
  return result;
}

/**
 * Landmark sanity: eyes above the nose tip above the mouth, a plausible eye spacing for the box, and the
 * points mostly inside the (slightly enlarged) box. Paintings and bokeh blobs the detector scores highly
 * usually fail one of these.
 */
export function isPlausibleFace(d: Detection, points: readonly Point[]): boolean {
  const [x1, y1, x2, y2] = d.box;
  const w = x2 - x1;
  const h = y2 - y1;
  const { leftEye, rightEye } = subjectEyes(points);
  const ied = distance(leftEye, rightEye);
  const eyeY = (leftEye.y + rightEye.y) / 2;
  const nose = points[30]!;
  const mouthY = (points[51]!.y + points[57]!.y) / 2;
  const spacing = ied / w;
  const ordered = eyeY < nose.y && nose.y < mouthY;
  const inBox = points.filter((p) => p.x >= x1 - 0.2 * w && p.x <= x2 + 0.2 * w && p.y >= y1 - 0.2 * h && p.y <= y2 + 0.2 * h).length / points.length;
  return spacing >= 0.2 && spacing <= 0.75 && ordered && inBox >= 0.9;
}

/** Whether the face region of a detection holds the detail of a real face (see faceDetail); flat shapes do not. */
export function hasFaceDetail(image: Raster, points: readonly Point[], t: QualityThresholds): boolean {
  return faceDetail(image, points) >= t.faceDetailMin;
}

/** For the CLI and the wire layer: analysis without the Float32Array, embedding as numbers if asked. */
export function toDto(result: StillAnalysis, includeEmbedding: boolean): ImageAnalysis {
  const { embeddingVector, landmarks: _landmarks, ...dto } = result;
  if (includeEmbedding && embeddingVector) return { ...dto, embedding: Array.from(embeddingVector, (v) => Number(v.toFixed(6))) };
  return dto;
}
