// Original file: proto/facerecognition.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.js';
import type { Long } from '@grpc/proto-loader';

export interface _bioid_services_v1_FaceTemplateStatus_Thumbnail {
  'enrolled'?: (_google_protobuf_Timestamp | null);
  'image'?: (Buffer | Uint8Array | string);
}

export interface _bioid_services_v1_FaceTemplateStatus_Thumbnail__Output {
  'enrolled': (_google_protobuf_Timestamp__Output | null);
  'image': (Buffer);
}

export interface FaceTemplateStatus {
  'classId'?: (number | string | Long);
  'available'?: (boolean);
  'enrolled'?: (_google_protobuf_Timestamp | null);
  'tags'?: (string)[];
  'encoder_version'?: (number);
  'feature_vectors'?: (number);
  'thumbnails_stored'?: (number);
  'thumbnails'?: (_bioid_services_v1_FaceTemplateStatus_Thumbnail)[];
}

export interface FaceTemplateStatus__Output {
  'classId': (string);
  'available': (boolean);
  'enrolled': (_google_protobuf_Timestamp__Output | null);
  'tags': (string)[];
  'encoder_version': (number);
  'feature_vectors': (number);
  'thumbnails_stored': (number);
  'thumbnails': (_bioid_services_v1_FaceTemplateStatus_Thumbnail__Output)[];
}
