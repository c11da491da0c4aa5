// Original file: proto/facerecognition.proto

import type { ImageData as _ImageData, ImageData__Output as _ImageData__Output } from '../../../ImageData.js';
import type { Long } from '@grpc/proto-loader';

export interface FaceVerificationRequest {
  'classId'?: (number | string | Long);
  'image'?: (_ImageData | null);
}

export interface FaceVerificationRequest__Output {
  'classId': (string);
  'image': (_ImageData__Output | null);
}
