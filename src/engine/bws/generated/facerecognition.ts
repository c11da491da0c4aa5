import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Face as _Face, Face__Output as _Face__Output } from './Face.js';
import type { ImageData as _ImageData, ImageData__Output as _ImageData__Output } from './ImageData.js';
import type { ImageProperties as _ImageProperties, ImageProperties__Output as _ImageProperties__Output } from './ImageProperties.js';
import type { JobError as _JobError, JobError__Output as _JobError__Output } from './JobError.js';
import type { PointD as _PointD, PointD__Output as _PointD__Output } from './PointD.js';
import type { QualityAssessment as _QualityAssessment, QualityAssessment__Output as _QualityAssessment__Output } from './QualityAssessment.js';
import type { DeleteTemplateRequest as _bioid_services_v1_DeleteTemplateRequest, DeleteTemplateRequest__Output as _bioid_services_v1_DeleteTemplateRequest__Output } from './bioid/services/v1/DeleteTemplateRequest.js';
import type { DeleteTemplateResponse as _bioid_services_v1_DeleteTemplateResponse, DeleteTemplateResponse__Output as _bioid_services_v1_DeleteTemplateResponse__Output } from './bioid/services/v1/DeleteTemplateResponse.js';
import type { FaceEnrollmentRequest as _bioid_services_v1_FaceEnrollmentRequest, FaceEnrollmentRequest__Output as _bioid_services_v1_FaceEnrollmentRequest__Output } from './bioid/services/v1/FaceEnrollmentRequest.js';
import type { FaceEnrollmentResponse as _bioid_services_v1_FaceEnrollmentResponse, FaceEnrollmentResponse__Output as _bioid_services_v1_FaceEnrollmentResponse__Output } from './bioid/services/v1/FaceEnrollmentResponse.js';
import type { FaceRecognitionClient as _bioid_services_v1_FaceRecognitionClient, FaceRecognitionDefinition as _bioid_services_v1_FaceRecognitionDefinition } from './bioid/services/v1/FaceRecognition.js';
import type { FaceSearchRequest as _bioid_services_v1_FaceSearchRequest, FaceSearchRequest__Output as _bioid_services_v1_FaceSearchRequest__Output } from './bioid/services/v1/FaceSearchRequest.js';
import type { FaceSearchResponse as _bioid_services_v1_FaceSearchResponse, FaceSearchResponse__Output as _bioid_services_v1_FaceSearchResponse__Output } from './bioid/services/v1/FaceSearchResponse.js';
import type { FaceTemplateStatus as _bioid_services_v1_FaceTemplateStatus, FaceTemplateStatus__Output as _bioid_services_v1_FaceTemplateStatus__Output } from './bioid/services/v1/FaceTemplateStatus.js';
import type { FaceTemplateStatusRequest as _bioid_services_v1_FaceTemplateStatusRequest, FaceTemplateStatusRequest__Output as _bioid_services_v1_FaceTemplateStatusRequest__Output } from './bioid/services/v1/FaceTemplateStatusRequest.js';
import type { FaceVerificationRequest as _bioid_services_v1_FaceVerificationRequest, FaceVerificationRequest__Output as _bioid_services_v1_FaceVerificationRequest__Output } from './bioid/services/v1/FaceVerificationRequest.js';
import type { FaceVerificationResponse as _bioid_services_v1_FaceVerificationResponse, FaceVerificationResponse__Output as _bioid_services_v1_FaceVerificationResponse__Output } from './bioid/services/v1/FaceVerificationResponse.js';
import type { SetTemplateTagsRequest as _bioid_services_v1_SetTemplateTagsRequest, SetTemplateTagsRequest__Output as _bioid_services_v1_SetTemplateTagsRequest__Output } from './bioid/services/v1/SetTemplateTagsRequest.js';
import type { SetTemplateTagsResponse as _bioid_services_v1_SetTemplateTagsResponse, SetTemplateTagsResponse__Output as _bioid_services_v1_SetTemplateTagsResponse__Output } from './bioid/services/v1/SetTemplateTagsResponse.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  Face: MessageTypeDefinition<_Face, _Face__Output>
  ImageData: MessageTypeDefinition<_ImageData, _ImageData__Output>
  ImageProperties: MessageTypeDefinition<_ImageProperties, _ImageProperties__Output>
  JobError: MessageTypeDefinition<_JobError, _JobError__Output>
  JobStatus: EnumTypeDefinition
  PointD: MessageTypeDefinition<_PointD, _PointD__Output>
  QualityAssessment: MessageTypeDefinition<_QualityAssessment, _QualityAssessment__Output>
  bioid: {
    services: {
      v1: {
        DeleteTemplateRequest: MessageTypeDefinition<_bioid_services_v1_DeleteTemplateRequest, _bioid_services_v1_DeleteTemplateRequest__Output>
        DeleteTemplateResponse: MessageTypeDefinition<_bioid_services_v1_DeleteTemplateResponse, _bioid_services_v1_DeleteTemplateResponse__Output>
        FaceEnrollmentRequest: MessageTypeDefinition<_bioid_services_v1_FaceEnrollmentRequest, _bioid_services_v1_FaceEnrollmentRequest__Output>
        FaceEnrollmentResponse: MessageTypeDefinition<_bioid_services_v1_FaceEnrollmentResponse, _bioid_services_v1_FaceEnrollmentResponse__Output>
        FaceRecognition: SubtypeConstructor<typeof grpc.Client, _bioid_services_v1_FaceRecognitionClient> & { service: _bioid_services_v1_FaceRecognitionDefinition }
        FaceSearchRequest: MessageTypeDefinition<_bioid_services_v1_FaceSearchRequest, _bioid_services_v1_FaceSearchRequest__Output>
        FaceSearchResponse: MessageTypeDefinition<_bioid_services_v1_FaceSearchResponse, _bioid_services_v1_FaceSearchResponse__Output>
        FaceTemplateStatus: MessageTypeDefinition<_bioid_services_v1_FaceTemplateStatus, _bioid_services_v1_FaceTemplateStatus__Output>
        FaceTemplateStatusRequest: MessageTypeDefinition<_bioid_services_v1_FaceTemplateStatusRequest, _bioid_services_v1_FaceTemplateStatusRequest__Output>
        FaceVerificationRequest: MessageTypeDefinition<_bioid_services_v1_FaceVerificationRequest, _bioid_services_v1_FaceVerificationRequest__Output>
        FaceVerificationResponse: MessageTypeDefinition<_bioid_services_v1_FaceVerificationResponse, _bioid_services_v1_FaceVerificationResponse__Output>
        SetTemplateTagsRequest: MessageTypeDefinition<_bioid_services_v1_SetTemplateTagsRequest, _bioid_services_v1_SetTemplateTagsRequest__Output>
        SetTemplateTagsResponse: MessageTypeDefinition<_bioid_services_v1_SetTemplateTagsResponse, _bioid_services_v1_SetTemplateTagsResponse__Output>
      }
    }
  }
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
}

