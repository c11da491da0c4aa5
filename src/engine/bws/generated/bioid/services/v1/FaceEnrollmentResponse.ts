// Original file: proto/facerecognition.proto

import type { JobStatus as _JobStatus, JobStatus__Output as _JobStatus__Output } from '../../../JobStatus.js';
import type { JobError as _JobError, JobError__Output as _JobError__Output } from '../../../JobError.js';
import type { ImageProperties as _ImageProperties, ImageProperties__Output as _ImageProperties__Output } from '../../../ImageProperties.js';
import type { FaceTemplateStatus as _bioid_services_v1_FaceTemplateStatus, FaceTemplateStatus__Output as _bioid_services_v1_FaceTemplateStatus__Output } from '../../../bioid/services/v1/FaceTemplateStatus.js';

// Original file: proto/facerecognition.proto

export const _bioid_services_v1_FaceEnrollmentResponse_EnrollmentAction = {
  NONE: 'NONE',
  NEW_TEMPLATE_CREATED: 'NEW_TEMPLATE_CREATED',
  TEMPLATE_UPDATED: 'TEMPLATE_UPDATED',
  TEMPLATE_UPGRADED: 'TEMPLATE_UPGRADED',
  TEMPLATE_IMPORTED: 'TEMPLATE_IMPORTED',
  ENROLLMENT_FAILED: 'ENROLLMENT_FAILED',
} as const;

export type _bioid_services_v1_FaceEnrollmentResponse_EnrollmentAction =
  | 'NONE'
  | 0
  | 'NEW_TEMPLATE_CREATED'
  | 1
  | 'TEMPLATE_UPDATED'
  | 2
  | 'TEMPLATE_UPGRADED'
  | 3
  | 'TEMPLATE_IMPORTED'
  | 4
  | 'ENROLLMENT_FAILED'
  | -1

export type _bioid_services_v1_FaceEnrollmentResponse_EnrollmentAction__Output = typeof _bioid_services_v1_FaceEnrollmentResponse_EnrollmentAction[keyof typeof _bioid_services_v1_FaceEnrollmentResponse_EnrollmentAction]

export interface FaceEnrollmentResponse {
  'status'?: (_JobStatus);
  'errors'?: (_JobError)[];
  'image_properties'?: (_ImageProperties)[];
  'performed_action'?: (_bioid_services_v1_FaceEnrollmentResponse_EnrollmentAction);
  'enrolled_images'?: (number);
  'template_status'?: (_bioid_services_v1_FaceTemplateStatus | null);
}

export interface FaceEnrollmentResponse__Output {
  'status': (_JobStatus__Output);
  'errors': (_JobError__Output)[];
  'image_properties': (_ImageProperties__Output)[];
  'performed_action': (_bioid_services_v1_FaceEnrollmentResponse_EnrollmentAction__Output);
  'enrolled_images': (number);
  'template_status': (_bioid_services_v1_FaceTemplateStatus__Output | null);
}
