import type { LiveGuidance } from '../../../shared/schemas.js';
import type { FrameFacts } from './captureMachine.js';

/**
 * Splits the engine's live guidance by audience: one short prompt for the person in front of the camera
 * (with an icon) and setup hints for the operator. Keys are catalog ids, so the words follow the language.
 */

/** Prompt codes the person can act on, most important first as the engine orders them. */
export const SUBJECT_PROMPTS = ['noFace', 'oneFace', 'comeCloser', 'moveBack', 'moveLeft', 'moveRight', 'turnLeft', 'turnRight', 'chinDown', 'chinUp', 'headStraight', 'eyesOpen', 'holdStill'] as const;
/** Setup hints for the operator (light, camera height). */
export const OPERATOR_HINTS = ['tooDark', 'tooBright', 'cameraLower', 'cameraHigher'] as const;

export type SubjectKey = (typeof SUBJECT_PROMPTS)[number] | 'ready' | 'other';

/** The icon drawn next to each prompt. */
export type PromptIconName = 'person' | 'arrowLeft' | 'arrowRight' | 'closer' | 'back' | 'turnLeft' | 'turnRight' | 'chinDown' | 'chinUp' | 'level' | 'eye' | 'still' | 'check' | 'people';

export const PROMPT_ICONS: Record<SubjectKey, PromptIconName> = {
  noFace: 'person',
  oneFace: 'people',
  comeCloser: 'closer',
  moveBack: 'back',
  // The preview is mirrored: the person's own left is on the left of what they see.
  moveLeft: 'arrowLeft',
  moveRight: 'arrowRight',
  turnLeft: 'turnLeft',
  turnRight: 'turnRight',
  chinDown: 'chinDown',
  chinUp: 'chinUp',
  headStraight: 'level',
  eyesOpen: 'eye',
  holdStill: 'still',
  ready: 'check',
  other: 'person',
};

function known<T extends string>(list: readonly T[], code: string | undefined): code is T {
  return code !== undefined && (list as readonly string[]).includes(code);
}

/** The person's prompt: the first subject prompt the engine gave, 'ready' when the frame passes. */
export function subjectKey(guidance: LiveGuidance): SubjectKey {
  if (!guidance.faceFound) return 'noFace';
  const first = guidance.prompts.find((prompt) => prompt.audience === 'subject');
  if (first) return known(SUBJECT_PROMPTS, first.code) ? first.code : 'other';
  return guidance.ready ? 'ready' : 'other';
}

/** The operator's hints: every operator prompt code the engine gave, in its order, without repeats. */
export function operatorKeys(guidance: LiveGuidance): string[] {
  const codes = guidance.prompts.filter((prompt) => prompt.audience === 'operator').map((prompt) => (known(OPERATOR_HINTS, prompt.code) ? prompt.code : 'other'));
  return [...new Set(codes)];
}

export function frameFacts(guidance: LiveGuidance): FrameFacts {
  return { faceFound: guidance.faceFound, ready: guidance.ready, score: guidance.frameScore, subjectKey: subjectKey(guidance), operatorKey: operatorKeys(guidance).join(' ') };
}
