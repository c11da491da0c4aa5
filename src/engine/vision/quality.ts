import type { QualityCheck } from '../../shared/schemas.js';
import type { QualityThresholds } from './config.js';
import { planPortrait } from './crop.js';
import { type Point, distance } from './geometry.js';
import type { Photometry } from './photometry.js';
import type { GateProfile } from './types.js';

/**
 * The stored-image quality report: every check of shared/quality.md as {check, value, pass, score, message,
 * audience, gating}. Ids are OFIQ measure names in camelCase, plus BWS names (ImageSize, SuitableFace,
 * FullyVisibleFace) where the service has one. Gates use raw values; scores (0..1) only rank and guide.
 * `gating` says whether the check decides `accepted` under the chosen profile; all checks are reported.
 */
export interface FaceFacts {
  box: [number, number, number, number];
  score: number;
  points: Point[];
  leftEye: Point;
  rightEye: Point;
  pose: { yaw: number; pitch: number; roll: number; pitchRaw: number };
  liveness: number | null;
  eyesOpen: number | null;
  /** Landmarks look like a face (eye, nose, mouth order and proportions): not a painting or bokeh blob. */
  plausible: boolean;
}

export interface StillFacts {
  width: number;
  height: number;
  faces: FaceFacts[];
  primary: number | null;
  /** Faces that count for "exactly one face": plausible and at least secondaryAreaRatio of the primary. */
  countedFaces: number;
  /** Faces seen but ignored (small or implausible). */
  ignoredFaces: number;
  photometry: Photometry | null;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));
/** 1 inside [lo, hi], falling linearly to 0 at one band-width outside. */
const bandScore = (value: number, lo: number, hi: number): number => {
  const width = Math.max(hi - lo, 1e-6);
  if (value < lo) return clamp01(1 - (lo - value) / width);
  if (value > hi) return clamp01(1 - (value - hi) / width);
  return 1;
};
/** OFIQ's head pose scalar: cos^2 of the angle. */
const poseScore = (degrees: number): number => Math.cos((degrees * Math.PI) / 180) ** 2;

type Check = QualityCheck;

function check(id: string, value: Check['value'], pass: boolean, score: number, message: string, audience: Check['audience'], gating: boolean): Check {
  return { check: id, value, pass, score: round(clamp01(score), 3), message, audience, gating };
}

export function assessStill(facts: StillFacts, t: QualityThresholds, profile: GateProfile): { assessments: QualityCheck[]; accepted: boolean } {
  const gate = t.profiles[profile];
  const out: Check[] = [];
  const shortSide = Math.min(facts.width, facts.height);
  const longSide = Math.max(facts.width, facts.height);
  const sizeOk = shortSide >= t.recommendedShortSide && longSide >= t.recommendedLongSide;
  out.push(
    check('ImageSize', `${facts.width}x${facts.height}`, sizeOk, Math.min(shortSide / t.recommendedShortSide, longSide / t.recommendedLongSide),
      sizeOk ? 'Image size is sufficient.' : `The image is ${facts.width}x${facts.height}; at least 480x640 is recommended: use the camera's full resolution.`, 'operator', gate.gateImageSize),
  );

  const primary = facts.primary === null ? undefined : facts.faces[facts.primary];
  const counted = facts.countedFaces;
  const extra = facts.ignoredFaces > 0 ? ` (${facts.ignoredFaces} smaller or doubtful face${facts.ignoredFaces > 1 ? 's' : ''} in the background ignored)` : '';
  out.push(
    check('singleFacePresent', counted, counted === 1, counted === 1 ? 1 : 0,
      counted === 0 ? 'No face found in the image: use a photo that shows the person\'s face clearly.'
        : counted === 1 ? `One face found${extra}.`
          : `${counted} faces found: only the person being enrolled may be in the photo.`,
      'subject', true),
  );
  if (!primary) {
    out.push(check('SuitableFace', null, false, 0, 'No face found in the image, so there is nothing to enroll.', 'subject', true));
    return finish(out);
  }
  out.push(
    check('SuitableFace', round(primary.score, 3), primary.plausible, primary.plausible ? primary.score : 0,
      primary.plausible ? 'A suitable face was found.' : 'The detected face does not look like a clear, frontal face: use another photo.', 'subject', true),
  );

  const inside = primary.points.filter((p) => p.x >= 0 && p.y >= 0 && p.x < facts.width && p.y < facts.height).length / primary.points.length;
  const boxInside = primary.box[0] > 1 && primary.box[1] > 1 && primary.box[2] < facts.width - 1 && primary.box[3] < facts.height - 1;
  const fully = inside === 1 && boxInside;
  out.push(
    check('FullyVisibleFace', round(inside, 3), fully, fully ? 1 : inside * 0.5,
      fully ? 'The whole face is inside the image.' : 'The face is cut off by the edge of the image: the whole head must be visible.', 'subject', true),
  );

  const ied = distance(primary.leftEye, primary.rightEye);
  out.push(
    check('interEyeDistance', round(ied, 1), ied >= gate.interEyeMin, ied / t.interEyeBest,
      ied >= gate.interEyeMin ? `Eyes are ${Math.round(ied)} px apart (at least ${gate.interEyeMin}).`
        : `The face is too small: eyes are ${Math.round(ied)} px apart, at least ${gate.interEyeMin} are needed. Come closer to the camera or use a larger photo.`,
      'subject', true),
  );

  const { yaw, pitch, roll, pitchRaw } = primary.pose;
  out.push(
    check('headPoseYaw', round(yaw, 1), Math.abs(yaw) <= gate.yawMax, poseScore(yaw),
      Math.abs(yaw) <= gate.yawMax ? `Head turn ${Math.abs(yaw).toFixed(0)}° (limit ${gate.yawMax}°).`
        : `Look straight at the camera: the head is turned ${Math.abs(yaw).toFixed(0)}° to the ${yaw > 0 ? 'right' : 'left'} (limit ${gate.yawMax}°).`,
      'subject', true),
    check('headPosePitch', round(pitch, 1), Math.abs(pitch) <= gate.pitchMax, poseScore(pitch),
      Math.abs(pitch) <= gate.pitchMax ? `Head tilt up/down ${Math.abs(pitch).toFixed(0)}° (limit ${gate.pitchMax}°; raw ${pitchRaw.toFixed(0)}°, offset ${t.pitchOffset}°).`
        : `${pitch > 0 ? 'Lower your chin a little' : 'Raise your chin a little'}: the head is tilted ${Math.abs(pitch).toFixed(0)}° (limit ${gate.pitchMax}°; raw ${pitchRaw.toFixed(0)}°, offset ${t.pitchOffset}°).`,
      'subject', true),
    check('headPoseRoll', round(roll, 1), Math.abs(roll) <= gate.rollMax, poseScore(roll),
      Math.abs(roll) <= gate.rollMax ? `Head tilt sideways ${Math.abs(roll).toFixed(0)}° (limit ${gate.rollMax}°).`
        : `Keep your head level: it is tilted ${Math.abs(roll).toFixed(0)}° sideways (limit ${gate.rollMax}°).`,
      'subject', true),
  );

  // Margins, measured on the original image, and the layout of the 3:4 crop the station cuts itself.
  const eyeMid = { x: (primary.leftEye.x + primary.rightEye.x) / 2, y: (primary.leftEye.y + primary.rightEye.y) / 2 };
  const imageLeftEyeX = Math.min(primary.leftEye.x, primary.rightEye.x);
  const imageRightEyeX = Math.max(primary.leftEye.x, primary.rightEye.x);
  const leftMargin = imageLeftEyeX / ied;
  const rightMargin = (facts.width - imageRightEyeX) / ied;
  const eyeToChin = Math.max(1, primary.box[3] - eyeMid.y);
  const above = eyeMid.y / eyeToChin;
  const below = (facts.height - eyeMid.y) / eyeToChin;
  const plan = planPortrait(primary, facts.width, facts.height);
  const geometry = gate.gateGeometry;
  const marginAboveMin = t.marginAboveT;
  const marginBelowMin = t.marginBelowT;
  out.push(
    check('leftwardCropOfTheFaceImage', round(leftMargin), leftMargin >= t.sideMarginIed, leftMargin / t.sideMarginIed,
      leftMargin >= t.sideMarginIed ? 'Enough room on the left of the face.' : 'Too little room on the left of the face: centre the face, with space on both sides.', 'subject', geometry),
    check('rightwardCropOfTheFaceImage', round(rightMargin), rightMargin >= t.sideMarginIed, rightMargin / t.sideMarginIed,
      rightMargin >= t.sideMarginIed ? 'Enough room on the right of the face.' : 'Too little room on the right of the face: centre the face, with space on both sides.', 'subject', geometry),
    check('marginAboveOfTheFaceImage', round(above), above >= marginAboveMin, above / marginAboveMin,
      above >= marginAboveMin ? 'Enough room above the head.' : 'The top of the head is too close to the edge: leave room above the head.', 'subject', geometry),
    check('marginBelowOfTheFaceImage', round(below), below >= marginBelowMin, below / marginBelowMin,
      below >= marginBelowMin ? 'Enough room below the chin.' : 'The chin is too close to the bottom edge: include the neck and shoulders.', 'subject', geometry),
    check('headSize', round(plan.headHeight), plan.headHeight >= t.headHeightMin && plan.headHeight <= t.headHeightMax, bandScore(plan.headHeight, t.headHeightMin, t.headHeightMax),
      plan.headHeight <= t.headHeightMax ? `The head fills ${Math.round(plan.headHeight * 100)} % of the portrait height (60-90 %).` : `The head fills ${Math.round(plan.headHeight * 100)} % of the portrait: step back from the camera so head and shoulders fit.`, 'subject', geometry),
    check('eyeLinePosition', round(plan.eyeLine), plan.eyeLine >= t.eyeLineMin && plan.eyeLine <= t.eyeLineMax && plan.eyeMidX >= t.eyeMidXMin && plan.eyeMidX <= t.eyeMidXMax,
      Math.min(bandScore(plan.eyeLine, t.eyeLineMin, t.eyeLineMax), bandScore(plan.eyeMidX, t.eyeMidXMin, t.eyeMidXMax)),
      plan.ideal ? 'The portrait crop places the eyes correctly.' : `In the portrait crop the eyes sit at ${Math.round(plan.eyeLine * 100)} % from the top and ${Math.round(plan.eyeMidX * 100)} % across (30-50 % and 45-55 %): centre the face with room around it.`, 'subject', geometry),
  );

  const eyesOpen = primary.eyesOpen;
  const eyesPass = eyesOpen === null || eyesOpen >= t.eyesOpenMin;
  out.push(
    check('eyesOpen', eyesOpen === null ? null : round(eyesOpen, 3), eyesPass, eyesOpen ?? 0,
      eyesPass ? 'Both eyes look open.' : 'Keep both eyes open and look into the camera.', 'subject', t.enforceEyesOpen),
  );

  const ph = facts.photometry;
  if (ph) {
    const sharpOk = ph.sharpness >= gate.sharpnessMin;
    const lumOk = ph.luminanceMean >= gate.luminanceMin && ph.luminanceMean <= gate.luminanceMax;
    out.push(
      check('sharpness', round(ph.sharpness, 1), sharpOk, ph.sharpness / (gate.sharpnessMin * 4),
        sharpOk ? 'The face is sharp.' : 'The face is blurred: check the camera focus and ask the person to hold still.', 'operator', true),
      check('luminanceMean', round(ph.luminanceMean, 3), lumOk, bandScore(ph.luminanceMean, gate.luminanceMin, gate.luminanceMax),
        lumOk ? 'Face brightness is fine.' : ph.luminanceMean < gate.luminanceMin ? 'The face is too dark: add light in front of the person.' : 'The face is too bright: reduce the light or the camera exposure.', 'operator', true),
      check('underExposurePrevention', round(ph.underExposed, 3), ph.underExposed <= gate.clippedMax, 1 - ph.underExposed / (2 * gate.clippedMax),
        ph.underExposed <= gate.clippedMax ? 'No large black areas on the face.' : `${Math.round(ph.underExposed * 100)} % of the face is black: add light in front of the person.`, 'operator', true),
      check('overExposurePrevention', round(ph.overExposed, 3), ph.overExposed <= gate.clippedMax, 1 - ph.overExposed / (2 * gate.clippedMax),
        ph.overExposed <= gate.clippedMax ? 'No burnt-out areas on the face.' : `${Math.round(ph.overExposed * 100)} % of the face is burnt out white: reduce the light or the camera exposure.`, 'operator', true),
      check('dynamicRange', round(ph.dynamicRange, 2), ph.dynamicRange >= gate.dynamicRangeMin, ph.dynamicRange / 8,
        ph.dynamicRange >= gate.dynamicRangeMin ? 'The face shows enough tonal range.' : 'The face looks flat (little tonal range): improve the lighting or the camera settings.', 'operator', gate.gateDynamicRange),
      check('illuminationUniformity', round(ph.illuminationUniformity, 3), ph.illuminationUniformity >= gate.illuminationUniformityMin, ph.illuminationUniformity,
        ph.illuminationUniformity >= gate.illuminationUniformityMin ? 'The face is evenly lit.' : 'One side of the face is darker than the other: light the face evenly from the front.', 'operator', gate.gateIllumination),
    );
  }

  const live = primary.liveness;
  const livePass = live === null || live >= t.livenessMin;
  out.push(
    check('liveness', live === null ? null : round(live, 3), livePass, live ?? 0,
      livePass ? 'No sign of a printed or screen photo.' : 'This may be a photo of a photo or a screen: capture the person directly.', 'operator', t.enforceLiveness),
  );
  return finish(out);
}

function finish(assessments: Check[]): { assessments: QualityCheck[]; accepted: boolean } {
  return { assessments, accepted: assessments.every((c) => c.pass || !c.gating) };
}
