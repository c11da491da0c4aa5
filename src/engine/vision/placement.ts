import type { LiveGuidance } from '../../shared/schemas.js';
import type { QualityThresholds } from './config.js';
import { HEAD_FRACTION } from './crop.js';
import type { Point } from './geometry.js';

/**
 * Where the live gate lets a face be (position and size), and the oval the preview draws from the same rule.
 *
 * Why the oval follows the gate: at a front desk the operator and the person read a green oval next to
 * "Perfect. Hold still." as "the face is where it belongs", so the drawing and the words must never disagree
 * (an oval sitting on the chest of a face that was just told "Perfect" makes the whole screen untrustworthy).
 * Two ways out were possible: hold the capture back until the face is in one fixed oval, or draw the oval
 * where the gate really accepts the face. The gate is deliberately loose about placement: the station cuts the
 * stored 3:4 portrait around the face itself, so a face a little high, low or off-centre, nearer or further,
 * still gives an accepted photo (the photo taken from such a frame passes the stored-image gate). Holding a
 * tall visitor back until someone re-aims the camera would cost the desk time for no better photo, and a
 * person cannot fix "your face is high in the picture" at all. So the oval shows the placement the gate
 * accepts that is nearest to the face: around the face (green with "Perfect") when its position and size
 * pass; otherwise beside it, where the face has to go, while the prompt says how to get there (come closer,
 * move back, move left or right) or, for camera height, tells the operator. The operator's camera hint stays
 * a hint: it improves the framing of the next visitors, it does not contradict the picture. Without a face
 * the oval is the ideal placement: centred, eyes on EYE_LINE, the middle of the distance envelope.
 */

/** Where the eye line of a well-framed face sits, as a fraction of the frame height from the top. */
export const EYE_LINE = 0.42;
/** Typical face proportions in inter-eye distances: eye line to chin. */
const EYE_TO_CHIN_IED = 1.25;

/** The ranges the live gate accepts without a blocking prompt, in frame pixels. */
export interface PlacementLimits {
  /** Eye midpoint x and y. */
  x: [number, number];
  y: [number, number];
  /** Inter-eye distance. */
  ied: [number, number];
}

/**
 * Eyes within centreToleranceX of the middle (else the person is asked to move sideways), within twice
 * centreToleranceY of EYE_LINE (within once: no hint at all; between: a camera-height hint for the operator),
 * the inter-eye distance inside the live distance envelope (else come closer / move back).
 */
export function placementLimits(width: number, height: number, t: QualityThresholds): PlacementLimits {
  const live = t.live;
  return {
    x: [(0.5 - live.centreToleranceX) * width, (0.5 + live.centreToleranceX) * width],
    y: [(EYE_LINE - 2 * live.centreToleranceY) * height, (EYE_LINE + 2 * live.centreToleranceY) * height],
    ied: [live.interEyeMinFraction * width, live.interEyeMaxFraction * width],
  };
}

/** Height of the head-and-shoulders portrait the station would cut around a face (the `headSize` rule). */
export function portraitHeight(eyeToChin: number): number {
  return (2 * Math.max(1, eyeToChin)) / HEAD_FRACTION;
}

/** What the oval needs to know of the face the gate judged. */
export interface FacePlacement {
  eyeMid: Point;
  ied: number;
  box: readonly [number, number, number, number];
}

type Oval = NonNullable<LiveGuidance['target']>;

const clamp = (value: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, value));
const r1 = (v: number): number => Math.round(v * 10) / 10;

/** An oval around a face with its eyes at (x, y) and this inter-eye distance (chin inside, crown at the top). */
function ovalAround(x: number, y: number, ied: number): Oval {
  return { cx: r1(x), cy: r1(y + 0.2 * ied), rx: r1(1.15 * ied), ry: r1(1.5 * ied) };
}

/**
 * The oval the preview draws, in frame pixels: the accepted placement nearest to `face` (see the top of this
 * file), or without a face the ideal one, sized by the inter-eye distance in the middle (geometric mean) of
 * the live envelope and made smaller when the head-and-shoulders portrait would not fit the frame's height.
 */
export function targetOval(width: number, height: number, t: QualityThresholds, face?: FacePlacement): Oval {
  const limits = placementLimits(width, height, t);
  if (!face) {
    const byWidth = Math.sqrt(limits.ied[0] * limits.ied[1]);
    const byHeight = (0.85 * height * HEAD_FRACTION) / (2 * EYE_TO_CHIN_IED);
    return ovalAround(width / 2, EYE_LINE * height, Math.min(byWidth, byHeight));
  }
  // Size: scale the face until its inter-eye distance is in the envelope and its portrait fits the height.
  const ied = Math.max(1, face.ied);
  const smallest = limits.ied[0] / ied;
  const largest = Math.max(smallest, Math.min(limits.ied[1] / ied, height / portraitHeight(face.box[3] - face.eyeMid.y)));
  const scale = clamp(1, smallest, largest);
  // Position: eyes inside the accepted band, and the (scaled) face box clear of the frame's top and bottom
  // edges (a face cut off there blocks the capture).
  const above = scale * Math.max(0, face.eyeMid.y - face.box[1]);
  const below = scale * Math.max(0, face.box[3] - face.eyeMid.y);
  const yLo = Math.max(limits.y[0], 2 + above);
  const yHi = Math.min(limits.y[1], height - 2 - below);
  const y = yLo <= yHi ? clamp(face.eyeMid.y, yLo, yHi) : EYE_LINE * height;
  return ovalAround(clamp(face.eyeMid.x, limits.x[0], limits.x[1]), y, scale * ied);
}
