// Original file: proto/facerecognition.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteTemplateRequest {
  'classId'?: (number | string | Long);
}

export interface DeleteTemplateRequest__Output {
  'classId': (string);
}
