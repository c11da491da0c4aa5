// Original file: proto/facerecognition.proto


export interface SetTemplateTagsResponse {
}

export interface SetTemplateTagsResponse__Output {
}
