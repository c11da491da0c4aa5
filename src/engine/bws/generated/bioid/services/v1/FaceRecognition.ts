// Original file: proto/facerecognition.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DeleteTemplateRequest as _bioid_services_v1_DeleteTemplateRequest, DeleteTemplateRequest__Output as _bioid_services_v1_DeleteTemplateRequest__Output } from '../../../bioid/services/v1/DeleteTemplateRequest.js';
import type { DeleteTemplateResponse as _bioid_services_v1_DeleteTemplateResponse, DeleteTemplateResponse__Output as _bioid_services_v1_DeleteTemplateResponse__Output } from '../../../bioid/services/v1/DeleteTemplateResponse.js';
import type { FaceEnrollmentRequest as _bioid_services_v1_FaceEnrollmentRequest, FaceEnrollmentRequest__Output as _bioid_services_v1_FaceEnrollmentRequest__Output } from '../../../bioid/services/v1/FaceEnrollmentRequest.js';
import type { FaceEnrollmentResponse as _bioid_services_v1_FaceEnrollmentResponse, FaceEnrollmentResponse__Output as _bioid_services_v1_FaceEnrollmentResponse__Output } from '../../../bioid/services/v1/FaceEnrollmentResponse.js';
import type { FaceSearchRequest as _bioid_services_v1_FaceSearchRequest, FaceSearchRequest__Output as _bioid_services_v1_FaceSearchRequest__Output } from '../../../bioid/services/v1/FaceSearchRequest.js';
import type { FaceSearchResponse as _bioid_services_v1_FaceSearchResponse, FaceSearchResponse__Output as _bioid_services_v1_FaceSearchResponse__Output } from '../../../bioid/services/v1/FaceSearchResponse.js';
import type { FaceTemplateStatus as _bioid_services_v1_FaceTemplateStatus, FaceTemplateStatus__Output as _bioid_services_v1_FaceTemplateStatus__Output } from '../../../bioid/services/v1/FaceTemplateStatus.js';
import type { FaceTemplateStatusRequest as _bioid_services_v1_FaceTemplateStatusRequest, FaceTemplateStatusRequest__Output as _bioid_services_v1_FaceTemplateStatusRequest__Output } from '../../../bioid/services/v1/FaceTemplateStatusRequest.js';
import type { FaceVerificationRequest as _bioid_services_v1_FaceVerificationRequest, FaceVerificationRequest__Output as _bioid_services_v1_FaceVerificationRequest__Output } from '../../../bioid/services/v1/FaceVerificationRequest.js';
import type { FaceVerificationResponse as _bioid_services_v1_FaceVerificationResponse, FaceVerificationResponse__Output as _bioid_services_v1_FaceVerificationResponse__Output } from '../../../bioid/services/v1/FaceVerificationResponse.js';
import type { SetTemplateTagsRequest as _bioid_services_v1_SetTemplateTagsRequest, SetTemplateTagsRequest__Output as _bioid_services_v1_SetTemplateTagsRequest__Output } from '../../../bioid/services/v1/SetTemplateTagsRequest.js';
import type { SetTemplateTagsResponse as _bioid_services_v1_SetTemplateTagsResponse, SetTemplateTagsResponse__Output as _bioid_services_v1_SetTemplateTagsResponse__Output } from '../../../bioid/services/v1/SetTemplateTagsResponse.js';

export interface FaceRecognitionClient extends grpc.Client {
  DeleteTemplate(argument: _bioid_services_v1_DeleteTemplateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  DeleteTemplate(argument: _bioid_services_v1_DeleteTemplateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  DeleteTemplate(argument: _bioid_services_v1_DeleteTemplateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  DeleteTemplate(argument: _bioid_services_v1_DeleteTemplateRequest, callback: grpc.requestCallback<_bioid_services_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  deleteTemplate(argument: _bioid_services_v1_DeleteTemplateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  deleteTemplate(argument: _bioid_services_v1_DeleteTemplateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  deleteTemplate(argument: _bioid_services_v1_DeleteTemplateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  deleteTemplate(argument: _bioid_services_v1_DeleteTemplateRequest, callback: grpc.requestCallback<_bioid_services_v1_DeleteTemplateResponse__Output>): grpc.ClientUnaryCall;
  
  Enroll(argument: _bioid_services_v1_FaceEnrollmentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceEnrollmentResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _bioid_services_v1_FaceEnrollmentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_FaceEnrollmentResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _bioid_services_v1_FaceEnrollmentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceEnrollmentResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _bioid_services_v1_FaceEnrollmentRequest, callback: grpc.requestCallback<_bioid_services_v1_FaceEnrollmentResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _bioid_services_v1_FaceEnrollmentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceEnrollmentResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _bioid_services_v1_FaceEnrollmentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_FaceEnrollmentResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _bioid_services_v1_FaceEnrollmentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceEnrollmentResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _bioid_services_v1_FaceEnrollmentRequest, callback: grpc.requestCallback<_bioid_services_v1_FaceEnrollmentResponse__Output>): grpc.ClientUnaryCall;
  
  GetTemplateStatus(argument: _bioid_services_v1_FaceTemplateStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceTemplateStatus__Output>): grpc.ClientUnaryCall;
  GetTemplateStatus(argument: _bioid_services_v1_FaceTemplateStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_FaceTemplateStatus__Output>): grpc.ClientUnaryCall;
  GetTemplateStatus(argument: _bioid_services_v1_FaceTemplateStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceTemplateStatus__Output>): grpc.ClientUnaryCall;
  GetTemplateStatus(argument: _bioid_services_v1_FaceTemplateStatusRequest, callback: grpc.requestCallback<_bioid_services_v1_FaceTemplateStatus__Output>): grpc.ClientUnaryCall;
  getTemplateStatus(argument: _bioid_services_v1_FaceTemplateStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceTemplateStatus__Output>): grpc.ClientUnaryCall;
  getTemplateStatus(argument: _bioid_services_v1_FaceTemplateStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_FaceTemplateStatus__Output>): grpc.ClientUnaryCall;
  getTemplateStatus(argument: _bioid_services_v1_FaceTemplateStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceTemplateStatus__Output>): grpc.ClientUnaryCall;
  getTemplateStatus(argument: _bioid_services_v1_FaceTemplateStatusRequest, callback: grpc.requestCallback<_bioid_services_v1_FaceTemplateStatus__Output>): grpc.ClientUnaryCall;
  
  Search(argument: _bioid_services_v1_FaceSearchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceSearchResponse__Output>): grpc.ClientUnaryCall;
  Search(argument: _bioid_services_v1_FaceSearchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_FaceSearchResponse__Output>): grpc.ClientUnaryCall;
  Search(argument: _bioid_services_v1_FaceSearchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceSearchResponse__Output>): grpc.ClientUnaryCall;
  Search(argument: _bioid_services_v1_FaceSearchRequest, callback: grpc.requestCallback<_bioid_services_v1_FaceSearchResponse__Output>): grpc.ClientUnaryCall;
  search(argument: _bioid_services_v1_FaceSearchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceSearchResponse__Output>): grpc.ClientUnaryCall;
  search(argument: _bioid_services_v1_FaceSearchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_FaceSearchResponse__Output>): grpc.ClientUnaryCall;
  search(argument: _bioid_services_v1_FaceSearchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceSearchResponse__Output>): grpc.ClientUnaryCall;
  search(argument: _bioid_services_v1_FaceSearchRequest, callback: grpc.requestCallback<_bioid_services_v1_FaceSearchResponse__Output>): grpc.ClientUnaryCall;
  
  SetTemplateTags(argument: _bioid_services_v1_SetTemplateTagsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_SetTemplateTagsResponse__Output>): grpc.ClientUnaryCall;
  SetTemplateTags(argument: _bioid_services_v1_SetTemplateTagsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_SetTemplateTagsResponse__Output>): grpc.ClientUnaryCall;
  SetTemplateTags(argument: _bioid_services_v1_SetTemplateTagsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_SetTemplateTagsResponse__Output>): grpc.ClientUnaryCall;
  SetTemplateTags(argument: _bioid_services_v1_SetTemplateTagsRequest, callback: grpc.requestCallback<_bioid_services_v1_SetTemplateTagsResponse__Output>): grpc.ClientUnaryCall;
  setTemplateTags(argument: _bioid_services_v1_SetTemplateTagsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_SetTemplateTagsResponse__Output>): grpc.ClientUnaryCall;
  setTemplateTags(argument: _bioid_services_v1_SetTemplateTagsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_SetTemplateTagsResponse__Output>): grpc.ClientUnaryCall;
  setTemplateTags(argument: _bioid_services_v1_SetTemplateTagsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_SetTemplateTagsResponse__Output>): grpc.ClientUnaryCall;
  setTemplateTags(argument: _bioid_services_v1_SetTemplateTagsRequest, callback: grpc.requestCallback<_bioid_services_v1_SetTemplateTagsResponse__Output>): grpc.ClientUnaryCall;
  
  Verify(argument: _bioid_services_v1_FaceVerificationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceVerificationResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _bioid_services_v1_FaceVerificationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_FaceVerificationResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _bioid_services_v1_FaceVerificationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceVerificationResponse__Output>): grpc.ClientUnaryCall;
  Verify(argument: _bioid_services_v1_FaceVerificationRequest, callback: grpc.requestCallback<_bioid_services_v1_FaceVerificationResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _bioid_services_v1_FaceVerificationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceVerificationResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _bioid_services_v1_FaceVerificationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_bioid_services_v1_FaceVerificationResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _bioid_services_v1_FaceVerificationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_bioid_services_v1_FaceVerificationResponse__Output>): grpc.ClientUnaryCall;
  verify(argument: _bioid_services_v1_FaceVerificationRequest, callback: grpc.requestCallback<_bioid_services_v1_FaceVerificationResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface FaceRecognitionHandlers extends grpc.UntypedServiceImplementation {
  DeleteTemplate: grpc.handleUnaryCall<_bioid_services_v1_DeleteTemplateRequest__Output, _bioid_services_v1_DeleteTemplateResponse>;
  
  Enroll: grpc.handleUnaryCall<_bioid_services_v1_FaceEnrollmentRequest__Output, _bioid_services_v1_FaceEnrollmentResponse>;
  
  GetTemplateStatus: grpc.handleUnaryCall<_bioid_services_v1_FaceTemplateStatusRequest__Output, _bioid_services_v1_FaceTemplateStatus>;
  
  Search: grpc.handleUnaryCall<_bioid_services_v1_FaceSearchRequest__Output, _bioid_services_v1_FaceSearchResponse>;
  
  SetTemplateTags: grpc.handleUnaryCall<_bioid_services_v1_SetTemplateTagsRequest__Output, _bioid_services_v1_SetTemplateTagsResponse>;
  
  Verify: grpc.handleUnaryCall<_bioid_services_v1_FaceVerificationRequest__Output, _bioid_services_v1_FaceVerificationResponse>;
  
}

export interface FaceRecognitionDefinition extends grpc.ServiceDefinition {
  DeleteTemplate: MethodDefinition<_bioid_services_v1_DeleteTemplateRequest, _bioid_services_v1_DeleteTemplateResponse, _bioid_services_v1_DeleteTemplateRequest__Output, _bioid_services_v1_DeleteTemplateResponse__Output>
  Enroll: MethodDefinition<_bioid_services_v1_FaceEnrollmentRequest, _bioid_services_v1_FaceEnrollmentResponse, _bioid_services_v1_FaceEnrollmentRequest__Output, _bioid_services_v1_FaceEnrollmentResponse__Output>
  GetTemplateStatus: MethodDefinition<_bioid_services_v1_FaceTemplateStatusRequest, _bioid_services_v1_FaceTemplateStatus, _bioid_services_v1_FaceTemplateStatusRequest__Output, _bioid_services_v1_FaceTemplateStatus__Output>
  Search: MethodDefinition<_bioid_services_v1_FaceSearchRequest, _bioid_services_v1_FaceSearchResponse, _bioid_services_v1_FaceSearchRequest__Output, _bioid_services_v1_FaceSearchResponse__Output>
  SetTemplateTags: MethodDefinition<_bioid_services_v1_SetTemplateTagsRequest, _bioid_services_v1_SetTemplateTagsResponse, _bioid_services_v1_SetTemplateTagsRequest__Output, _bioid_services_v1_SetTemplateTagsResponse__Output>
  Verify: MethodDefinition<_bioid_services_v1_FaceVerificationRequest, _bioid_services_v1_FaceVerificationResponse, _bioid_services_v1_FaceVerificationRequest__Output, _bioid_services_v1_FaceVerificationResponse__Output>
}
