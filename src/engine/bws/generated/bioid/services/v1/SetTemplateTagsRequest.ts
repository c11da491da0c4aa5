// Original file: proto/facerecognition.proto

import type { Long } from '@grpc/proto-loader';

export interface SetTemplateTagsRequest {
  'classId'?: (number | string | Long);
  'tags'?: (string)[];
}

export interface SetTemplateTagsRequest__Output {
  'classId': (string);
  'tags': (string)[];
}
