import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../src/engine/vision/config.js';
import { type FaceFacts, type StillFacts, assessStill } from '../../src/engine/vision/quality.js';
import type { GateProfile } from '../../src/engine/vision/types.js';

/**
 * The head pose gates of the stored-image assessment, at each limit. The limits are the product's rules,
 * written here rather than read from the configuration (a test that reads them would follow a wrong limit):
 * `enrollment` |yaw|, |pitch|, |roll| <= 20 degrees (decisions.md); `icao` yaw 5, pitch 5, roll 8 (quality.md).
 * Pitch is the corrected value (raw + offset) the gate uses.
 *
 * The face is synthetic and otherwise ideal: a 900x1200 portrait, eyes 100 px apart at 40 % height, room
 * on every side, sharp, so under both profiles the pose decides `accepted` alone.
 */
const LIMITS: Record<GateProfile, Record<Axis, number>> = {
  enrollment: { yaw: 20, pitch: 20, roll: 20 },
  icao: { yaw: 5, pitch: 5, roll: 8 },
};
type Axis = 'yaw' | 'pitch' | 'roll';
const CHECK: Record<Axis, string> = { yaw: 'headPoseYaw', pitch: 'headPosePitch', roll: 'headPoseRoll' };

function faceWithPose(pose: Partial<Record<Axis, number>>): StillFacts {
  const box: [number, number, number, number] = [330, 330, 570, 720];
  const points = Array.from({ length: 68 }, (_, i) => ({ x: 340 + (i % 17) * 13, y: 400 + Math.floor(i / 17) * 70 }));
  const pitch = pose.pitch ?? 0;
  const face: FaceFacts = {
    box,
    score: 0.99,
    points,
    leftEye: { x: 500, y: 480 },
    rightEye: { x: 400, y: 480 },
    pose: { yaw: pose.yaw ?? 0, pitch, roll: pose.roll ?? 0, pitchRaw: pitch - DEFAULT_THRESHOLDS.pitchOffset },
    liveness: 0.9,
    eyesOpen: 0.9,
    plausible: true,
  };
  return {
    width: 900,
    height: 1200,
    faces: [face],
    primary: 0,
    countedFaces: 1,
    ignoredFaces: 0,
    photometry: { sharpness: 40, luminanceMean: 0.5, underExposed: 0, overExposed: 0, dynamicRange: 7.5, illuminationUniformity: 0.9 },
  };
}

const rows = (Object.keys(LIMITS) as GateProfile[]).flatMap((profile) =>
  (['yaw', 'pitch', 'roll'] as const).flatMap((axis) => {
    const limit = LIMITS[profile][axis];
    return [
      { profile, axis, value: limit - 0.1, pass: true },
      { profile, axis, value: -(limit - 0.1), pass: true },
      { profile, axis, value: limit, pass: true },
      { profile, axis, value: limit + 0.1, pass: false },
      { profile, axis, value: -(limit + 0.1), pass: false },
    ];
  }),
);

describe('head pose gates of the stored-image assessment', () => {
  it.each(['enrollment', 'icao'] as const)('a frontal face passes every check under %s', (profile) => {
    const { assessments, accepted } = assessStill(faceWithPose({}), DEFAULT_THRESHOLDS, profile);
    expect(assessments.filter((check) => check.gating && !check.pass)).toEqual([]);
    expect(accepted).toBe(true);
  });

  it.each(rows)('$profile: $axis $value degrees -> pass $pass', ({ profile, axis, value, pass }) => {
    const { assessments, accepted } = assessStill(faceWithPose({ [axis]: value }), DEFAULT_THRESHOLDS, profile);
    const check = assessments.find((entry) => entry.check === CHECK[axis])!;
    expect(check).toMatchObject({ value: Number(value.toFixed(1)), pass, gating: true, audience: 'subject' });
    expect(check.message).toContain(`limit ${LIMITS[profile][axis]}°`);
    expect(accepted).toBe(pass);
    // Only the pose check changed.
    expect(assessments.filter((entry) => entry.gating && !entry.pass).map((entry) => entry.check)).toEqual(pass ? [] : [CHECK[axis]]);
  });
});
