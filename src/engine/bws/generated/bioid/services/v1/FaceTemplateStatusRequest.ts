// Original file: proto/facerecognition.proto

import type { Long } from '@grpc/proto-loader';

export interface FaceTemplateStatusRequest {
  'classId'?: (number | string | Long);
  'download_thumbnails'?: (boolean);
}

export interface FaceTemplateStatusRequest__Output {
  'classId': (string);
  'download_thumbnails': (boolean);
}
