import type { GateProfile } from './types.js';

/**
 * Every threshold of the vision engine in one object (defaults from shared/quality.md and decisions.md).
 * Gates use raw values (degrees, pixels, ratios); scores only rank frames and drive guidance.
 */
export interface ProfileGate {
  yawMax: number;
  pitchMax: number;
  rollMax: number;
  interEyeMin: number;
  /** Sharpness (Laplacian variance / luminance variance x100 on a 128 px face patch) below this fails. */
  sharpnessMin: number;
  luminanceMin: number;
  luminanceMax: number;
  /** Largest fraction of face pixels at 0..25 (under) or 247..255 (over). */
  clippedMax: number;
  dynamicRangeMin: number;
  illuminationUniformityMin: number;
  /** Whether these checks gate `accepted` under this profile (all are always reported). */
  gateImageSize: boolean;
  gateGeometry: boolean;
  gateDynamicRange: boolean;
  gateIllumination: boolean;
}

export interface QualityThresholds {
  // detection
  detectScoreMin: number;
  nmsIou: number;
  /** Primary face: the largest box among those scoring within this margin of the best. */
  primaryScoreMargin: number;
  /** Another face smaller than this fraction of the primary's area is ignored (with a warning). */
  secondaryAreaRatio: number;
  /**
   * Another face counts only when the detector is this sure of it. Real faces score >= 0.99 here; paintings
   * and bokeh blobs that pass the landmark sanity test score lower (biden2.jpg's painting: 0.89).
   */
  secondaryScoreMin: number;
  /**
   * A detection is a face only when its inner face region holds at least this much detail (luminance
   * entropy in bits, see faceDetail): drawn flat shapes the detector scores up to 0.95 have under 1 bit,
   * real faces 3 or more even when badly exposed.
   */
  faceDetailMin: number;
  // pose calibration
  /** Added to the pose model's pitch (it reads about -10 on frontal faces). */
  pitchOffset: number;
  // decode limits
  maxFileBytes: number;
  maxPixels: number;
  minSide: number;
  /** Recommended minimum image size (portrait 480x640; either orientation). */
  recommendedShortSide: number;
  recommendedLongSide: number;
  interEyeBest: number;
  // portrait crop geometry (3:4 crop the station cuts itself)
  eyeLineMin: number;
  eyeLineMax: number;
  eyeMidXMin: number;
  eyeMidXMax: number;
  headHeightMin: number;
  headHeightMax: number;
  /** Minimum distance from each eye to the side edges, in inter-eye distances. */
  sideMarginIed: number;
  /** Room above / below the eye midpoint, in eye-to-chin distances (the crown is about 1 above). */
  marginAboveT: number;
  marginBelowT: number;
  // record-only by default
  livenessMin: number;
  enforceLiveness: boolean;
  eyesOpenMin: number;
  enforceEyesOpen: boolean;
  profiles: Record<GateProfile, ProfileGate>;
  /** Live guidance envelope: looser than the stored-image gates so people are coached, not rejected. */
  live: {
    yawMax: number;
    pitchMax: number;
    rollMax: number;
    /** Inter-eye distance as a fraction of the frame width. */
    interEyeMinFraction: number;
    interEyeMaxFraction: number;
    /** Largest offset of the eye midpoint from the frame centre, as a fraction of width / height. */
    centreToleranceX: number;
    centreToleranceY: number;
    luminanceMin: number;
    luminanceMax: number;
    sharpnessMin: number;
  };
}

export const DEFAULT_THRESHOLDS: QualityThresholds = {
  detectScoreMin: 0.65,
  nmsIou: 0.4,
  primaryScoreMargin: 0.02,
  secondaryAreaRatio: 0.25,
  secondaryScoreMin: 0.95,
  faceDetailMin: 2,
  pitchOffset: 10,
  maxFileBytes: 30 * 1024 * 1024,
  maxPixels: 50_000_000,
  minSide: 32,
  recommendedShortSide: 480,
  recommendedLongSide: 640,
  interEyeBest: 120,
  eyeLineMin: 0.3,
  eyeLineMax: 0.5,
  eyeMidXMin: 0.45,
  eyeMidXMax: 0.55,
  headHeightMin: 0.6,
  headHeightMax: 0.9,
  sideMarginIed: 1,
  marginAboveT: 1.1,
  marginBelowT: 1.5,
  livenessMin: 0.5,
  enforceLiveness: false,
  eyesOpenMin: 0.5,
  enforceEyesOpen: false,
  profiles: {
    icao: {
      yawMax: 5,
      pitchMax: 5,
      rollMax: 8,
      interEyeMin: 90,
      sharpnessMin: 8,
      luminanceMin: 0.3,
      luminanceMax: 0.7,
      clippedMax: 0.05,
      dynamicRangeMin: 7,
      illuminationUniformityMin: 0.6,
      gateImageSize: true,
      gateGeometry: true,
      gateDynamicRange: true,
      gateIllumination: true,
    },
    enrollment: {
      yawMax: 20,
      pitchMax: 20,
      rollMax: 20,
      interEyeMin: 60,
      sharpnessMin: 3,
      luminanceMin: 0.15,
      luminanceMax: 0.85,
      clippedMax: 0.25,
      dynamicRangeMin: 5,
      illuminationUniformityMin: 0.3,
      gateImageSize: false,
      gateGeometry: false,
      gateDynamicRange: false,
      gateIllumination: false,
    },
  },
  live: {
    yawMax: 20,
    pitchMax: 20,
    rollMax: 20,
    interEyeMinFraction: 0.09,
    interEyeMaxFraction: 0.3,
    centreToleranceX: 0.18,
    centreToleranceY: 0.2,
    luminanceMin: 0.15,
    luminanceMax: 0.85,
    sharpnessMin: 2,
  },
};

/** Shallow merge, one level deeper for `profiles` and `live`, so a caller can change a single number. */
export function resolveThresholds(overrides: Partial<QualityThresholds> = {}): QualityThresholds {
  const base = DEFAULT_THRESHOLDS;
  return {
    ...base,
    ...overrides,
    profiles: {
      icao: { ...base.profiles.icao, ...overrides.profiles?.icao },
      enrollment: { ...base.profiles.enrollment, ...overrides.profiles?.enrollment },
    },
    live: { ...base.live, ...overrides.live },
  };
}
