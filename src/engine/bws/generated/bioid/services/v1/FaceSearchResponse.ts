// Original file: proto/facerecognition.proto

import type { JobStatus as _JobStatus, JobStatus__Output as _JobStatus__Output } from '../../../JobStatus.js';
import type { JobError as _JobError, JobError__Output as _JobError__Output } from '../../../JobError.js';
import type { ImageProperties as _ImageProperties, ImageProperties__Output as _ImageProperties__Output } from '../../../ImageProperties.js';
import type { Long } from '@grpc/proto-loader';

export interface _bioid_services_v1_FaceSearchResponse_SearchResult {
  'matches'?: (_bioid_services_v1_FaceSearchResponse_TemplateMatchResult)[];
}

export interface _bioid_services_v1_FaceSearchResponse_SearchResult__Output {
  'matches': (_bioid_services_v1_FaceSearchResponse_TemplateMatchResult__Output)[];
}

export interface _bioid_services_v1_FaceSearchResponse_TemplateMatchResult {
  'classId'?: (number | string | Long);
  'score'?: (number | string);
}

export interface _bioid_services_v1_FaceSearchResponse_TemplateMatchResult__Output {
  'classId': (string);
  'score': (number);
}

export interface FaceSearchResponse {
  'status'?: (_JobStatus);
  'errors'?: (_JobError)[];
  'image_properties'?: (_ImageProperties)[];
  'result'?: (_bioid_services_v1_FaceSearchResponse_SearchResult)[];
}

export interface FaceSearchResponse__Output {
  'status': (_JobStatus__Output);
  'errors': (_JobError__Output)[];
  'image_properties': (_ImageProperties__Output)[];
  'result': (_bioid_services_v1_FaceSearchResponse_SearchResult__Output)[];
}
