// Original file: proto/facerecognition.proto

import type { JobStatus as _JobStatus, JobStatus__Output as _JobStatus__Output } from '../../../JobStatus.js';
import type { JobError as _JobError, JobError__Output as _JobError__Output } from '../../../JobError.js';
import type { ImageProperties as _ImageProperties, ImageProperties__Output as _ImageProperties__Output } from '../../../ImageProperties.js';

export interface FaceVerificationResponse {
  'status'?: (_JobStatus);
  'errors'?: (_JobError)[];
  'image_properties'?: (_ImageProperties | null);
  'verified'?: (boolean);
  'score'?: (number | string);
}

export interface FaceVerificationResponse__Output {
  'status': (_JobStatus__Output);
  'errors': (_JobError__Output)[];
  'image_properties': (_ImageProperties__Output | null);
  'verified': (boolean);
  'score': (number);
}
