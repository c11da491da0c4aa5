import type { CameraStatus } from './useCamera.js';
import type { ClassIdFeedback } from './classIdInput.js';
import type { SubjectKey } from './guidanceView.js';
import type { PhotoVerdict } from './reviewView.js';

/**
 * Catalog ids for values that come from data (prompt codes, check ids, states). Every id is written out
 * here as a literal, so the catalogs can be checked against the source and no id is ever built at runtime.
 */
export const PERSON_PROMPT_IDS: Record<SubjectKey, string> = {
  noFace: 'capture.person.noFace',
  oneFace: 'capture.person.oneFace',
  comeCloser: 'capture.person.comeCloser',
  moveBack: 'capture.person.moveBack',
  moveLeft: 'capture.person.moveLeft',
  moveRight: 'capture.person.moveRight',
  turnLeft: 'capture.person.turnLeft',
  turnRight: 'capture.person.turnRight',
  chinDown: 'capture.person.chinDown',
  chinUp: 'capture.person.chinUp',
  headStraight: 'capture.person.headStraight',
  eyesOpen: 'capture.person.eyesOpen',
  holdStill: 'capture.person.holdStill',
  ready: 'capture.person.ready',
  other: 'capture.person.other',
};

export const OPERATOR_HINT_IDS: Record<string, string> = {
  tooDark: 'capture.operator.tooDark',
  tooBright: 'capture.operator.tooBright',
  cameraLower: 'capture.operator.cameraLower',
  cameraHigher: 'capture.operator.cameraHigher',
  other: 'capture.operator.other',
};

export function cameraStatusId(status: CameraStatus): string {
  switch (status.kind) {
    case 'starting':
      return 'capture.camera.starting';
    case 'on':
      return 'capture.camera.on';
    case 'none':
      return 'capture.camera.none';
    case 'blocked':
      return 'capture.camera.blocked';
    case 'error':
      return { denied: 'capture.camera.error.denied', busy: 'capture.camera.error.busy', notFound: 'capture.camera.error.notFound', other: 'capture.camera.error.other' }[status.reason];
  }
}

export const CLASS_ID_ERROR_IDS: Record<Extract<ClassIdFeedback, { kind: 'error' }>['reason'], string> = {
  digits: 'capture.classId.error.digits',
  zero: 'capture.classId.error.zero',
  tooLarge: 'capture.classId.error.tooLarge',
};

export const VERDICT_IDS: Record<PhotoVerdict, string> = {
  checking: 'capture.review.verdict.checking',
  accepted: 'capture.review.verdict.accepted',
  acceptedWithWarnings: 'capture.review.verdict.acceptedWithWarnings',
  rejected: 'capture.review.verdict.rejected',
  error: 'capture.review.verdict.error',
  duplicate: 'capture.review.verdict.duplicate',
};

/** Titles of the quality checks (the engine's sentence is shown under the title as the detail). */
export const CHECK_TITLE_IDS: Record<string, string> = {
  ImageSize: 'capture.check.ImageSize',
  singleFacePresent: 'capture.check.singleFacePresent',
  SuitableFace: 'capture.check.SuitableFace',
  FullyVisibleFace: 'capture.check.FullyVisibleFace',
  interEyeDistance: 'capture.check.interEyeDistance',
  headPoseYaw: 'capture.check.headPoseYaw',
  headPosePitch: 'capture.check.headPosePitch',
  headPoseRoll: 'capture.check.headPoseRoll',
  leftwardCropOfTheFaceImage: 'capture.check.leftwardCropOfTheFaceImage',
  rightwardCropOfTheFaceImage: 'capture.check.rightwardCropOfTheFaceImage',
  marginAboveOfTheFaceImage: 'capture.check.marginAboveOfTheFaceImage',
  marginBelowOfTheFaceImage: 'capture.check.marginBelowOfTheFaceImage',
  headSize: 'capture.check.headSize',
  eyeLinePosition: 'capture.check.eyeLinePosition',
  eyesOpen: 'capture.check.eyesOpen',
  sharpness: 'capture.check.sharpness',
  luminanceMean: 'capture.check.luminanceMean',
  underExposurePrevention: 'capture.check.underExposurePrevention',
  overExposurePrevention: 'capture.check.overExposurePrevention',
  dynamicRange: 'capture.check.dynamicRange',
  illuminationUniformity: 'capture.check.illuminationUniformity',
  liveness: 'capture.check.liveness',
};
