import { describe, expect, it } from 'vitest';
import { captureReducer, DEFAULT_CAPTURE_CONFIG, initialCaptureState, type CaptureEffect, type CaptureEvent, type CaptureState, type FrameFacts } from '../../src/renderer/features/capture/captureMachine.js';

const config = DEFAULT_CAPTURE_CONFIG;

/** Replays events from a start state; returns every state and all effects, in order. */
function replay(events: CaptureEvent[], start: CaptureState = initialCaptureState(0)) {
  let state = start;
  const effects: CaptureEffect[] = [];
  const phases: string[] = [];
  for (const event of events) {
    const step = captureReducer(state, event, config);
    state = step.state;
    effects.push(...step.effects);
    phases.push(state.phase);
  }
  return { state, effects, phases };
}

const ready = (at: number, score = 0.5): CaptureEvent => ({ type: 'FRAME', at, faceFound: true, ready: true, score, subjectKey: 'ready', operatorKey: '' });
const prompt = (at: number, subjectKey: string, facts: Partial<FrameFacts> = {}): CaptureEvent => ({ type: 'FRAME', at, faceFound: true, ready: false, score: 0.2, subjectKey, operatorKey: '', ...facts });
const noFace = (at: number): CaptureEvent => ({ type: 'FRAME', at, faceFound: false, ready: false, score: 0, subjectKey: 'noFace', operatorKey: '' });

/** Camera on and a class id entered at t=0. */
const armedStart = () => replay([{ type: 'CAMERA_READY', at: 0 }, { type: 'ARM', armed: true, at: 0 }]).state;

describe('capture machine', () => {
  it('walks idle -> looking -> guiding -> stable -> capturing -> review and keeps the best 3 stills by frame score', () => {
    const frames: CaptureEvent[] = [{ type: 'CAMERA_READY', at: 0 }, { type: 'ARM', armed: true, at: 0 }, noFace(100), prompt(200, 'comeCloser')];
    // Ready from t=300; stable for 500 ms at t=800: collection starts with that frame (score 0.50).
    for (let at = 300; at <= 800; at += 100) frames.push(ready(at, 0.5));
    // During collection (until 3300): scores 0.6, 0.4, 0.9, 0.7, 0.3, then one after the window closes.
    frames.push(ready(1000, 0.6), ready(1200, 0.4), ready(1400, 0.9), ready(1600, 0.7), ready(1800, 0.3), prompt(2000, 'turnLeft'), ready(3300, 0.95));
    const { state, effects, phases } = replay(frames);
    expect(phases.slice(0, 5)).toEqual(['looking', 'looking', 'looking', 'guiding', 'stable']);
    expect(phases[phases.indexOf('capturing') - 1]).toBe('stable');
    expect(phases.indexOf('capturing')).toBe(9); // the frame at t=800
    expect(effects).toEqual([
      { type: 'takeStill', id: 1, replaces: null }, // 0.5 at 800
      { type: 'takeStill', id: 2, replaces: null }, // 0.6
      { type: 'takeStill', id: 3, replaces: null }, // 0.4
      { type: 'takeStill', id: 4, replaces: 3 }, // 0.9 beats 0.4
      { type: 'takeStill', id: 5, replaces: 1 }, // 0.7 beats 0.5
      // 0.3 is worse than all kept; the not-ready frame does not end collection; 3300 closes the window.
      { type: 'analyze', ids: [2, 4, 5], replaces: null },
    ]);
    expect(state.phase).toBe('review');
    expect(state.photos).toEqual([2, 4, 5]);
  });

  it('takes candidates at least minGapMs apart, so the kept photos are not copies of one moment', () => {
    const { effects } = replay([ready(100), ready(600, 0.5), ready(650, 0.9), ready(700, 0.9), ready(760, 0.8), { type: 'TICK', at: 600 + config.collectMaxMs }], armedStart());
    // 650 and 700 come less than 150 ms after the still at 600; 760 is the next one taken; no third ready frame
    // comes before the longest collection is over.
    expect(effects).toEqual([{ type: 'takeStill', id: 1, replaces: null }, { type: 'takeStill', id: 2, replaces: null }, { type: 'analyze', ids: [1, 2], replaces: null }]);
  });

  it('on a slow machine (one analysed frame a second) collects on past collectMs until every photo is taken, within collectMaxMs', () => {
    // Stable at t=500 (collection starts, photo 1); then a ready frame every 1.5 s: photo 3 comes after collectMs.
    const slow = replay([ready(0), ready(500), ready(2000), { type: 'TICK', at: 3000 }, ready(3500), ready(5000)], armedStart());
    expect(slow.effects.filter((effect) => effect.type === 'takeStill')).toHaveLength(3);
    expect(slow.effects.at(-1)).toEqual({ type: 'analyze', ids: [1, 2, 3], replaces: null });
    expect(slow.phases).toEqual(['stable', 'capturing', 'capturing', 'capturing', 'review', 'review']);
    // Only one ready frame after the start: it gives up at collectMaxMs and keeps what it has.
    const stalled = replay([ready(0), ready(500), prompt(1500, 'turnLeft'), { type: 'TICK', at: 500 + config.collectMaxMs - 1 }, { type: 'TICK', at: 500 + config.collectMaxMs }], armedStart());
    expect(stalled.phases.slice(-2)).toEqual(['capturing', 'review']);
    expect(stalled.effects.at(-1)).toEqual({ type: 'analyze', ids: [1], replaces: null });
  });

  it('a not-ready frame restarts the stable window; nothing is captured before ready frames span stableMs', () => {
    const { effects, phases } = replay([ready(100), ready(400), prompt(500, 'holdStill'), ready(600), ready(1000), ready(1100)], armedStart());
    expect(phases).toEqual(['stable', 'stable', 'guiding', 'stable', 'stable', 'capturing']);
    expect(effects).toEqual([{ type: 'takeStill', id: 1, replaces: null }]);
  });

  it('never captures automatically without a class id (not armed)', () => {
    const events: CaptureEvent[] = [{ type: 'CAMERA_READY', at: 0 }];
    for (let at = 100; at <= 10_000; at += 100) events.push(ready(at, 0.9));
    const { state, effects } = replay(events);
    expect(state.phase).toBe('stable');
    expect(effects).toEqual([]);
  });

  it('holds the shown guidance until a new key persists for holdMs (no flicker)', () => {
    let { state } = replay([prompt(0, 'comeCloser')], armedStart());
    expect(state.subject).toEqual({ key: 'comeCloser', since: 0 });
    // One odd frame, then back: the prompt shown never changes.
    state = replay([prompt(100, 'turnLeft'), prompt(200, 'comeCloser'), prompt(300, 'turnLeft'), prompt(500, 'turnLeft')], state).state;
    expect(state.subject?.key).toBe('comeCloser');
    // turnLeft since 300, still there at 700 (>= 400 ms): now shown.
    state = replay([prompt(700, 'turnLeft')], state).state;
    expect(state.subject).toEqual({ key: 'turnLeft', since: 700 });
    // The operator line settles the same way.
    state = replay([prompt(800, 'turnLeft', { operatorKey: 'tooDark' }), prompt(1300, 'turnLeft', { operatorKey: 'tooDark' })], state).state;
    expect(state.operator).toEqual({ key: 'tooDark', since: 1300 });
  });

  it('shows no-face advice after noFaceTimeoutMs without a face, and drops it when a face stays (not on one stray detection)', () => {
    let { state } = replay([noFace(100), { type: 'TICK', at: 19_000 }], armedStart());
    expect(state.noFaceAdvice).toBe(false);
    // A stray detection in one frame does not restart the timeout.
    state = replay([prompt(19_100, 'comeCloser'), noFace(19_200), noFace(19_500), { type: 'TICK', at: 20_000 }], state).state;
    expect(state.noFaceAdvice).toBe(true);
    expect(state.phase).toBe('looking');
    // One stray detection (a face-like pattern) does not take the advice away; a face that stays does.
    state = replay([prompt(20_100, 'comeCloser'), noFace(20_200)], state).state;
    expect(state.noFaceAdvice).toBe(true);
    state = replay([prompt(20_300, 'comeCloser'), prompt(20_800, 'comeCloser')], state).state;
    expect(state.noFaceAdvice).toBe(false);
    // Without a class id the station is not trying to capture: no advice.
    const idle = replay([{ type: 'CAMERA_READY', at: 0 }, noFace(100), { type: 'TICK', at: 60_000 }]).state;
    expect(idle.noFaceAdvice).toBe(false);
  });

  it('clears the class id and the photos after idleResetMs without operator input; input postpones it', () => {
    const captured = replay([ready(100), ready(700), { type: 'TICK', at: 700 + config.collectMaxMs }], armedStart()).state;
    expect(captured.phase).toBe('review');
    expect(captured.photos).toEqual([1]);
    const postponed = replay([{ type: 'ACTIVITY', at: 100_000 }, { type: 'TICK', at: 121_000 }], captured);
    expect(postponed.effects).toEqual([]);
    const reset = replay([{ type: 'TICK', at: 220_000 }], postponed.state);
    expect(reset.effects).toEqual([{ type: 'clearSession' }]);
    expect(reset.state).toMatchObject({ phase: 'looking', armed: false, photos: [], candidates: [] });
    // Nothing to clear: no effect, however long it stays idle.
    expect(replay([{ type: 'TICK', at: 900_000 }], reset.state).effects).toEqual([]);
  });

  it('retakes one photo in place: one new still replaces it at the same position', () => {
    let { state } = replay([ready(100, 0.4), ready(700, 0.4), ready(900, 0.5), ready(1_100, 0.6), { type: 'TICK', at: 3_300 }], armedStart());
    expect(state.photos).toEqual([1, 2, 3]);
    const retake = replay([{ type: 'RETAKE', id: 2, at: 4_000 }, ready(4_100, 0.5), ready(4_700, 0.5), ready(4_900, 0.8), { type: 'TICK', at: 7_300 }], state);
    state = retake.state;
    expect(retake.effects).toEqual([
      { type: 'takeStill', id: 4, replaces: null },
      { type: 'takeStill', id: 5, replaces: 4 },
      { type: 'analyze', ids: [5], replaces: 2 },
    ]);
    expect(state.photos).toEqual([1, 5, 3]);
    expect(state.phase).toBe('review');
  });

  it('manual capture (button or Space) takes one still at once, adds it to review, and ends a collection in progress', () => {
    const { state, effects } = replay([prompt(100, 'turnLeft'), { type: 'MANUAL_CAPTURE', at: 200 }, { type: 'MANUAL_CAPTURE', at: 300 }], armedStart());
    expect(effects).toEqual([
      { type: 'takeStill', id: 1, replaces: null },
      { type: 'analyze', ids: [1], replaces: null },
      { type: 'takeStill', id: 2, replaces: null },
      { type: 'analyze', ids: [2], replaces: null },
    ]);
    expect(state).toMatchObject({ phase: 'review', photos: [1, 2] });
    const collecting = replay([ready(100), ready(700), { type: 'MANUAL_CAPTURE', at: 800 }], armedStart());
    expect(collecting.effects.slice(1)).toEqual([{ type: 'discardStill', id: 1 }, { type: 'takeStill', id: 2, replaces: null }, { type: 'analyze', ids: [2], replaces: null }]);
  });

  it('camera lost goes back to idle from anywhere and lets go of unfinished stills', () => {
    const { state, effects } = replay([ready(100), ready(700), { type: 'CAMERA_LOST', at: 800 }], armedStart());
    expect(state.phase).toBe('idle');
    expect(effects).toEqual([{ type: 'takeStill', id: 1, replaces: null }, { type: 'discardStill', id: 1 }]);
    // Frames while idle change nothing but the shown guidance.
    expect(replay([ready(900), ready(2_000)], state).state.phase).toBe('idle');
  });

  it('a still that could not be taken leaves review when it was the only photo', () => {
    const { state } = replay([{ type: 'MANUAL_CAPTURE', at: 100 }, { type: 'STILL_FAILED', id: 1, at: 150 }], armedStart());
    expect(state).toMatchObject({ phase: 'looking', photos: [] });
  });
});
