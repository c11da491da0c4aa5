// Original file: proto/bwsmessages.proto

import type { Face as _Face, Face__Output as _Face__Output } from './Face.js';
import type { QualityAssessment as _QualityAssessment, QualityAssessment__Output as _QualityAssessment__Output } from './QualityAssessment.js';

export interface ImageProperties {
  'rotated'?: (number);
  'faces'?: (_Face)[];
  'quality_score'?: (number | string);
  'quality_assessments'?: (_QualityAssessment)[];
  'frame_number'?: (number);
}

export interface ImageProperties__Output {
  'rotated': (number);
  'faces': (_Face__Output)[];
  'quality_score': (number);
  'quality_assessments': (_QualityAssessment__Output)[];
  'frame_number': (number);
}
