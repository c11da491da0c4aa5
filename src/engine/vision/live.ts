import { StationError } from '../../shared/errors.js';
import { type LiveFrame, type LiveGuidance, liveFrameSchema } from '../../shared/schemas.js';
import type { QualityThresholds } from './config.js';
import { boxArea, choosePrimary, detectFaces, detectorInput } from './detect.js';
import { eyesOpenScore } from './eyes.js';
import { type Point, distance } from './geometry.js';
import { detectLandmarks, subjectEyes } from './landmarks.js';
import { measureFace } from './photometry.js';
import { EYE_LINE, placementLimits, portraitHeight, targetOval } from './placement.js';
import { estimatePose } from './pose.js';
import type { Raster } from './raster.js';
import type { Sessions } from './sessions.js';
import { hasFaceDetail, isPlausibleFace } from './still.js';

/**
 * The live-preview fast path: detect + landmarks + pose + cheap checks on a raw RGBA frame (<= 640x480),
 * returning prompts for the next frame and a frameScore that ranks auto-capture candidates.
 * Its envelope (t.live) is looser than the stored-image gates: a person still moving into place is coached.
 * Directions assume the frame as the camera sees it (not mirrored): a face on the image's left means the
 * person stands too far to their own right.
 */
type Prompt = LiveGuidance['prompts'][number];

export async function analyzeFrame(sessions: Sessions, t: QualityThresholds, frame: LiveFrame): Promise<LiveGuidance> {
  const start = performance.now();
  const parsed = liveFrameSchema.safeParse(frame);
  if (!parsed.success) {
    throw new StationError('IMAGE_UNREADABLE', `A camera frame must be raw RGBA bytes (width*height*4) of at most 640x480: ${parsed.error.issues[0]?.message ?? 'invalid frame'}.`);
  }
  const image: Raster = { data: frame.data, width: frame.width, height: frame.height, channels: 4 };
  const live = t.live;
  const found = (await detectFaces(sessions.detector, detectorInput(image), image.width, image.height, t.detectScoreMin, t.nmsIou)).slice(0, 4);
  const done = (partial: Omit<LiveGuidance, 'elapsedMs'>): LiveGuidance => ({ ...partial, elapsedMs: Math.round((performance.now() - start) * 10) / 10 });
  const detections: typeof found = [];
  const landmarks: Point[][] = [];
  for (const d of found) {
    const points = await detectLandmarks(sessions.landmarks, image, d.box);
    // A flat drawn shape (a camera's test pattern) can score like a face; without a face's detail it is none.
    if (!hasFaceDetail(image, points, t)) continue;
    detections.push(d);
    landmarks.push(points);
  }
  if (detections.length === 0) {
    return done({ target: targetOval(image.width, image.height, t), faceFound: false, box: null, frameScore: 0, ready: false, pose: null, prompts: [{ check: 'singleFacePresent', code: 'noFace', message: 'Step in front of the camera and look at it.', audience: 'subject' }] });
  }
  const plausible = detections.map((d, i) => isPlausibleFace(d, landmarks[i]!));
  const pool = detections.map((_, i) => i).filter((i) => plausible[i]);
  const candidates = pool.length > 0 ? pool : detections.map((_, i) => i);
  const primary = candidates[choosePrimary(candidates.map((i) => detections[i]!), t.primaryScoreMargin)!]!;
  const face = detections[primary]!;
  const points = landmarks[primary]!;
  const raw = await estimatePose(sessions.pose, image, face.box);
  const pose = { yaw: raw.yaw, pitch: raw.pitchRaw + t.pitchOffset, roll: raw.roll };
  const eyesOpen = await eyesOpenScore(sessions.eyes, image, points);
  const photometry = measureFace(image, points);

  const blocking: Prompt[] = [];
  const hints: Prompt[] = [];
  const others = detections.filter((d, i) => i !== primary && plausible[i] && d.score >= t.secondaryScoreMin && boxArea(d.box) >= t.secondaryAreaRatio * boxArea(face.box)).length;
  if (others > 0) blocking.push({ check: 'singleFacePresent', code: 'oneFace', message: 'Only one person in front of the camera, please.', audience: 'subject' });

  const { leftEye, rightEye } = subjectEyes(points);
  const ied = distance(leftEye, rightEye);
  const iedFraction = ied / image.width;
  const eyeMid = { x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2 };
  const portrait = portraitHeight(face.box[3] - eyeMid.y);
  // The position and size rules are placementLimits, the same ones the drawn oval follows.
  const limits = placementLimits(image.width, image.height, t);
  let sizeScore = 1;
  if (ied < limits.ied[0]) {
    blocking.push({ check: 'interEyeDistance', code: 'comeCloser', message: 'Come a little closer to the camera.', audience: 'subject' });
    sizeScore = iedFraction / live.interEyeMinFraction;
  } else if (ied > limits.ied[1] || portrait > image.height) {
    blocking.push({ check: 'headSize', code: 'moveBack', message: 'Move back a little: head and shoulders must fit in the picture.', audience: 'subject' });
    sizeScore = Math.min(live.interEyeMaxFraction / iedFraction, image.height / portrait);
  }

  const dx = eyeMid.x / image.width - 0.5;
  // The eyes of a well-framed portrait sit a little above the middle.
  const dy = eyeMid.y / image.height - EYE_LINE;
  if (eyeMid.x < limits.x[0] || eyeMid.x > limits.x[1]) {
    blocking.push({ check: 'eyeLinePosition', code: dx < 0 ? 'moveLeft' : 'moveRight', message: dx < 0 ? 'Move a little to your left.' : 'Move a little to your right.', audience: 'subject' });
  }
  // The station crops the stored portrait itself, so the stored-image gate has no eye-line rule: a face a
  // little high or low is a setup hint for the operator, not a reason to hold back the capture. Only a face
  // so far off that the crop would lose the head or chin (or the face touches the frame's edge) blocks.
  const cutOff = face.box[1] <= 1 || face.box[3] >= image.height - 1;
  const outsideBand = eyeMid.y < limits.y[0] || eyeMid.y > limits.y[1];
  if (Math.abs(dy) > live.centreToleranceY || outsideBand || cutOff) {
    (outsideBand || cutOff ? blocking : hints).push({ check: 'eyeLinePosition', code: dy < 0 ? 'cameraLower' : 'cameraHigher', message: dy < 0 ? 'Lower the camera (or ask the person to sit lower): the face is too high in the picture.' : 'Raise the camera (or ask the person to sit up): the face is too low in the picture.', audience: 'operator' });
  }
  const centreScore = Math.max(0, 1 - Math.abs(dx) / (2 * live.centreToleranceX)) * Math.max(0, 1 - Math.abs(dy) / (2 * live.centreToleranceY));

  const icao = t.profiles.icao;
  const posePrompt = (check: string, angle: number, envelope: number, gate: number, code: string, message: string): void => {
    if (Math.abs(angle) > envelope) blocking.push({ check, code, message, audience: 'subject' });
    else if (Math.abs(angle) > gate) hints.push({ check, code, message, audience: 'subject' });
  };
  // Yaw > 0: turned toward the viewer's left, i.e. the person's own right; they should turn to their left.
  posePrompt('headPoseYaw', pose.yaw, live.yawMax, icao.yawMax, pose.yaw > 0 ? 'turnLeft' : 'turnRight', pose.yaw > 0 ? 'Turn your head slightly to your left, toward the camera.' : 'Turn your head slightly to your right, toward the camera.');
  posePrompt('headPosePitch', pose.pitch, live.pitchMax, icao.pitchMax, pose.pitch > 0 ? 'chinDown' : 'chinUp', pose.pitch > 0 ? 'Lower your chin a little.' : 'Raise your chin a little.');
  posePrompt('headPoseRoll', pose.roll, live.rollMax, icao.rollMax, 'headStraight', 'Keep your head straight, without tilting it.');
  const cos2 = (deg: number): number => Math.cos((deg * Math.PI) / 180) ** 2;
  // Sharper than OFIQ's cos^2 so a 3-degree frame outranks a 10-degree one clearly.
  const poseScore = cos2(pose.yaw) ** 8 * cos2(pose.pitch) ** 8 * cos2(pose.roll) ** 4;

  if (eyesOpen < t.eyesOpenMin && Math.abs(pose.yaw) <= live.yawMax) hints.push({ check: 'eyesOpen', code: 'eyesOpen', message: 'Keep your eyes open and look into the camera.', audience: 'subject' });
  if (photometry.luminanceMean < live.luminanceMin) blocking.push({ check: 'luminanceMean', code: 'tooDark', message: 'The face is too dark: add light in front of the person.', audience: 'operator' });
  else if (photometry.luminanceMean > live.luminanceMax) blocking.push({ check: 'luminanceMean', code: 'tooBright', message: 'The face is too bright: reduce the light or the camera exposure.', audience: 'operator' });
  if (photometry.sharpness < live.sharpnessMin) blocking.push({ check: 'sharpness', code: 'holdStill', message: 'The picture is blurred: hold still (operator: check the camera focus).', audience: 'subject' });
  const lumScore = Math.max(0, 1 - Math.abs(photometry.luminanceMean - 0.5) / 0.5);
  const sharpScore = Math.min(1, photometry.sharpness / (4 * live.sharpnessMin));

  const frameScore = Math.max(0, Math.min(1, poseScore * Math.min(1, sizeScore) * centreScore * (0.5 + 0.5 * eyesOpen) * (0.5 + 0.5 * lumScore) * (0.5 + 0.5 * sharpScore)));
  const r1 = (v: number): number => Math.round(v * 10) / 10;
  return done({
    target: targetOval(image.width, image.height, t, { eyeMid, ied, box: face.box }),
    faceFound: true,
    box: face.box.map(r1) as [number, number, number, number],
    frameScore: Math.round(frameScore * 1000) / 1000,
    ready: blocking.length === 0,
    prompts: [...blocking, ...hints],
    pose: { yaw: r1(pose.yaw), pitch: r1(pose.pitch), roll: r1(pose.roll) },
  });
}
