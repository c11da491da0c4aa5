/**
 * The capture flow as a pure reducer: no React, no timers, no camera. Every event carries its own timestamp
 * (`at`, milliseconds), so the tests replay a session with fake times, and the hook that runs it in the
 * page only forwards what happened (frames, stills taken, key presses, a once-a-second TICK) and carries
 * out the effects the reducer returns as data.
 *
 *   idle --CAMERA_READY--> looking --face with prompts--> guiding --ready frame--> stable
 *   stable --ready for stableMs--> capturing (collect the best stills for collectMs) --> review
 *   a not-ready frame in stable -> guiding; CAMERA_LOST -> idle from anywhere; RETAKE -> looking (one slot)
 *
 * Auto-capture only runs when `armed` (a valid class id is entered): the station never photographs the
 * next person in the queue before the operator has said who they are.
 */

export type Phase = 'idle' | 'looking' | 'guiding' | 'stable' | 'capturing' | 'review';

export interface CaptureConfig {
  /** How long every frame must pass the live gate before collection starts. */
  stableMs: number;
  /** How long candidates are collected once stable. */
  collectMs: number;
  /**
   * When fewer candidates than wanted came in collectMs (a slow machine analyses only a frame or two a
   * second), collection goes on until every slot is filled, for at most this long in all.
   */
  collectMaxMs: number;
  /** Images per enrollment (the best N by frame score are kept). */
  wanted: number;
  /** With the camera on and armed, no face for this long shows advice. */
  noFaceTimeoutMs: number;
  /** No operator input for this long clears the class id and the photos (0: never). */
  idleResetMs: number;
  /** A new guidance key must persist this long before it replaces the one shown (no flicker). */
  holdMs: number;
  /** Most photos one enrollment may carry (the contract's limit). */
  maxPhotos: number;
  /** Candidates are taken at least this far apart, so the kept photos are not copies of one moment. */
  minGapMs: number;
}

export const DEFAULT_CAPTURE_CONFIG: CaptureConfig = { stableMs: 500, collectMs: 2500, collectMaxMs: 10_000, wanted: 3, noFaceTimeoutMs: 20_000, idleResetMs: 120_000, holdMs: 400, maxPhotos: 20, minGapMs: 150 };

/** What the reducer needs to know about one analysed frame. */
export interface FrameFacts {
  faceFound: boolean;
  ready: boolean;
  score: number;
  /** The guidance for the person (a prompt code, 'ready' or 'noFace'). */
  subjectKey: string;
  /** Setup hints for the operator (prompt codes), joined into one key; '' for none. */
  operatorKey: string;
}

export type CaptureEvent =
  | { type: 'CAMERA_READY'; at: number }
  | { type: 'CAMERA_LOST'; at: number }
  | { type: 'ARM'; armed: boolean; at: number }
  | ({ type: 'FRAME'; at: number } & FrameFacts)
  | { type: 'STILL_FAILED'; id: number; at: number }
  | { type: 'MANUAL_CAPTURE'; at: number }
  | { type: 'RETAKE'; id: number; at: number }
  | { type: 'REMOVE'; id: number; at: number }
  | { type: 'ACTIVITY'; at: number }
  | { type: 'TICK'; at: number }
  /** The enrollment was queued (or the operator started over): a new person. */
  | { type: 'RESET'; at: number };

export type CaptureEffect =
  /** Grab a still at the camera's full resolution now, under `id`; `replaces` is a candidate to let go. */
  | { type: 'takeStill'; id: number; replaces: number | null }
  | { type: 'discardStill'; id: number }
  /** Collection is over: these stills go through the stored-image gate; `replaces` is the photo retaken. */
  | { type: 'analyze'; ids: number[]; replaces: number | null }
  /** Inactivity: forget the class id and every photo. */
  | { type: 'clearSession' };

export interface Shown {
  key: string;
  since: number;
}

export interface CaptureState {
  phase: Phase;
  armed: boolean;
  readySince: number | null;
  collectUntil: number | null;
  /** Stills taken during this collection, with the frame score that chose them. */
  candidates: Array<{ id: number; score: number }>;
  /** When the last candidate was taken. */
  lastStillAt: number | null;
  /** Photos kept for review, in display order. */
  photos: number[];
  /** The photo being retaken in place, if any. */
  retaking: number | null;
  /** When the current stretch without a face began (camera on), for the no-face advice. */
  noFaceSince: number | null;
  noFaceAdvice: boolean;
  subject: Shown | null;
  operator: Shown | null;
  pendingSubject: Shown | null;
  pendingOperator: Shown | null;
  lastActivityAt: number;
  nextId: number;
}

export function initialCaptureState(at: number): CaptureState {
  return {
    phase: 'idle',
    armed: false,
    readySince: null,
    collectUntil: null,
    candidates: [],
    lastStillAt: null,
    photos: [],
    retaking: null,
    noFaceSince: null,
    noFaceAdvice: false,
    subject: null,
    operator: null,
    pendingSubject: null,
    pendingOperator: null,
    lastActivityAt: at,
    nextId: 1,
  };
}

export interface Transition {
  state: CaptureState;
  effects: CaptureEffect[];
}

/** Hysteresis: the shown key changes only when a different key has been seen for holdMs without a break. */
function settle(shown: Shown | null, pending: Shown | null, key: string, at: number, holdMs: number): { shown: Shown | null; pending: Shown | null } {
  if (shown === null) return { shown: { key, since: at }, pending: null };
  if (shown.key === key) return { shown, pending: null };
  if (pending?.key !== key) return holdMs <= 0 ? { shown: { key, since: at }, pending: null } : { shown, pending: { key, since: at } };
  if (at - pending.since >= holdMs) return { shown: { key, since: at }, pending: null };
  return { shown, pending };
}

/** Photos still wanted in this collection: one for a retake, else what the setting asks for less those kept. */
function slotsWanted(state: CaptureState, config: CaptureConfig): number {
  if (state.retaking !== null) return 1;
  return Math.max(0, Math.min(config.wanted, config.maxPhotos - state.photos.length));
}

/** The collection window has passed with every slot filled, or the longest collection has passed. */
function collectionOver(state: CaptureState, at: number, config: CaptureConfig): boolean {
  if (state.collectUntil === null || at < state.collectUntil) return false;
  return state.candidates.length >= slotsWanted(state, config) || at >= state.collectUntil - config.collectMs + config.collectMaxMs;
}

function finishCollection(state: CaptureState, effects: CaptureEffect[]): CaptureState {
  if (state.candidates.length === 0) return { ...state, phase: 'looking', readySince: null, collectUntil: null };
  const ids = state.candidates.map((candidate) => candidate.id);
  effects.push({ type: 'analyze', ids, replaces: state.retaking });
  const photos = state.retaking !== null ? state.photos.flatMap((id) => (id === state.retaking ? ids : [id])) : [...state.photos, ...ids];
  return { ...state, phase: 'review', photos, candidates: [], retaking: null, readySince: null, collectUntil: null };
}

function onFrame(state: CaptureState, event: Extract<CaptureEvent, { type: 'FRAME' }>, config: CaptureConfig, effects: CaptureEffect[]): CaptureState {
  const subject = settle(state.subject, state.pendingSubject, event.subjectKey, event.at, config.holdMs);
  const operator = settle(state.operator, state.pendingOperator, event.operatorKey, event.at, config.holdMs);
  let next: CaptureState = { ...state, subject: subject.shown, pendingSubject: subject.pending, operator: operator.shown, pendingOperator: operator.pending };
  // "No face" is what the person is shown, after hysteresis: a stray detection in one frame (a face-like
  // pattern) neither restarts the no-face timeout nor takes the advice away; a face that stays does both.
  if (next.subject !== null && next.subject.key !== 'noFace') next = { ...next, noFaceSince: null, noFaceAdvice: false };
  else if (next.noFaceSince === null) next = { ...next, noFaceSince: event.at };

  if (next.phase === 'idle' || next.phase === 'review') return next;

  if (next.phase === 'capturing') {
    const spaced = next.lastStillAt === null || event.at - next.lastStillAt >= config.minGapMs;
    if (event.ready && spaced && next.collectUntil !== null && !collectionOver(next, event.at, config)) {
      const wanted = slotsWanted(next, config);
      const worst = next.candidates.reduce<{ id: number; score: number } | null>((low, candidate) => (low === null || candidate.score < low.score ? candidate : low), null);
      if (next.candidates.length < wanted) {
        const id = next.nextId;
        effects.push({ type: 'takeStill', id, replaces: null });
        next = { ...next, nextId: id + 1, lastStillAt: event.at, candidates: [...next.candidates, { id, score: event.score }] };
      } else if (worst && event.score > worst.score) {
        const id = next.nextId;
        effects.push({ type: 'takeStill', id, replaces: worst.id });
        next = { ...next, nextId: id + 1, lastStillAt: event.at, candidates: [...next.candidates.filter((candidate) => candidate.id !== worst.id), { id, score: event.score }] };
      }
    }
    if (collectionOver(next, event.at, config)) next = finishCollection(next, effects);
    return next;
  }

  // looking, guiding, stable
  if (!event.faceFound) return { ...next, phase: 'looking', readySince: null };
  if (!event.ready) return { ...next, phase: 'guiding', readySince: null };
  const readySince = next.readySince ?? event.at;
  if (!next.armed || slotsWanted(next, config) === 0 || event.at - readySince < config.stableMs) return { ...next, phase: 'stable', readySince };
  // Stable long enough: collection starts with this very frame.
  const id = next.nextId;
  effects.push({ type: 'takeStill', id, replaces: null });
  return { ...next, phase: 'capturing', readySince, collectUntil: event.at + config.collectMs, candidates: [{ id, score: event.score }], lastStillAt: event.at, nextId: id + 1 };
}

/** One step of the capture flow: the next state and the effects to carry out, in order. */
export function captureReducer(state: CaptureState, event: CaptureEvent, config: CaptureConfig = DEFAULT_CAPTURE_CONFIG): Transition {
  const effects: CaptureEffect[] = [];
  let next = state;
  switch (event.type) {
    case 'CAMERA_READY':
      next = { ...state, phase: state.photos.length > 0 && state.retaking === null ? 'review' : 'looking', noFaceSince: event.at, noFaceAdvice: false, subject: null, operator: null, pendingSubject: null, pendingOperator: null };
      break;
    case 'CAMERA_LOST':
      for (const candidate of state.candidates) effects.push({ type: 'discardStill', id: candidate.id });
      next = { ...state, phase: 'idle', candidates: [], readySince: null, collectUntil: null, noFaceSince: null, noFaceAdvice: false };
      break;
    case 'ARM':
      next = { ...state, armed: event.armed, lastActivityAt: event.at, noFaceSince: state.noFaceSince === null ? null : event.at, noFaceAdvice: false };
      break;
    case 'FRAME':
      next = onFrame(state, event, config, effects);
      break;
    case 'STILL_FAILED':
      next = { ...state, candidates: state.candidates.filter((candidate) => candidate.id !== event.id), photos: state.photos.filter((id) => id !== event.id) };
      if (next.phase === 'review' && next.photos.length === 0) next = { ...next, phase: 'looking' };
      break;
    case 'MANUAL_CAPTURE': {
      if (state.phase === 'idle' || state.photos.length >= config.maxPhotos) break;
      // The operator's shot replaces an automatic collection in progress.
      for (const candidate of state.candidates) effects.push({ type: 'discardStill', id: candidate.id });
      const id = state.nextId;
      effects.push({ type: 'takeStill', id, replaces: null });
      effects.push({ type: 'analyze', ids: [id], replaces: state.retaking });
      const photos = state.retaking !== null ? state.photos.map((photo) => (photo === state.retaking ? id : photo)) : [...state.photos, id];
      next = { ...state, phase: 'review', photos, candidates: [], retaking: null, readySince: null, collectUntil: null, nextId: id + 1, lastActivityAt: event.at };
      break;
    }
    case 'RETAKE':
      if (!state.photos.includes(event.id)) break;
      next = { ...state, phase: 'looking', retaking: event.id, readySince: null, collectUntil: null, noFaceSince: event.at, noFaceAdvice: false, lastActivityAt: event.at };
      break;
    case 'REMOVE': {
      if (!state.photos.includes(event.id)) break;
      effects.push({ type: 'discardStill', id: event.id });
      const photos = state.photos.filter((id) => id !== event.id);
      next = { ...state, photos, phase: photos.length === 0 && state.phase === 'review' ? 'looking' : state.phase, lastActivityAt: event.at };
      break;
    }
    case 'ACTIVITY':
      next = { ...state, lastActivityAt: event.at };
      break;
    case 'TICK':
      next = state;
      if (state.phase === 'capturing' && collectionOver(state, event.at, config)) next = finishCollection(state, effects);
      if (next.armed && next.noFaceSince !== null && next.phase !== 'idle' && next.phase !== 'review' && event.at - next.noFaceSince >= config.noFaceTimeoutMs) next = { ...next, noFaceAdvice: true };
      if (config.idleResetMs > 0 && event.at - next.lastActivityAt >= config.idleResetMs && (next.armed || next.photos.length > 0 || next.candidates.length > 0)) {
        effects.push({ type: 'clearSession' });
        next = resetSession(next, event.at);
      }
      break;
    case 'RESET':
      next = resetSession(state, event.at);
      break;
  }
  return { state: next, effects };
}

function resetSession(state: CaptureState, at: number): CaptureState {
  const fresh = initialCaptureState(at);
  return { ...fresh, phase: state.phase === 'idle' ? 'idle' : 'looking', noFaceSince: state.phase === 'idle' ? null : at, nextId: state.nextId };
}
