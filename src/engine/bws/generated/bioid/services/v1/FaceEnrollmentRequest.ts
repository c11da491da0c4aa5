// Original file: proto/facerecognition.proto

import type { ImageData as _ImageData, ImageData__Output as _ImageData__Output } from '../../../ImageData.js';
import type { Long } from '@grpc/proto-loader';

export interface FaceEnrollmentRequest {
  'classId'?: (number | string | Long);
  'images'?: (_ImageData)[];
}

export interface FaceEnrollmentRequest__Output {
  'classId': (string);
  'images': (_ImageData__Output)[];
}
