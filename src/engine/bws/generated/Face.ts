// Original file: proto/bwsmessages.proto

import type { PointD as _PointD, PointD__Output as _PointD__Output } from './PointD.js';

export interface Face {
  'left_eye'?: (_PointD | null);
  'right_eye'?: (_PointD | null);
  'texture_liveness_score'?: (number | string);
  'motion_liveness_score'?: (number | string);
  'movement_direction'?: (number | string);
}

export interface Face__Output {
  'left_eye': (_PointD__Output | null);
  'right_eye': (_PointD__Output | null);
  'texture_liveness_score': (number);
  'motion_liveness_score': (number);
  'movement_direction': (number);
}
