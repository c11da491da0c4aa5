// Original file: proto/facerecognition.proto


export interface DeleteTemplateResponse {
}

export interface DeleteTemplateResponse__Output {
}
