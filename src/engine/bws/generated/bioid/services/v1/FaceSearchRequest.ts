// Original file: proto/facerecognition.proto

import type { ImageData as _ImageData, ImageData__Output as _ImageData__Output } from '../../../ImageData.js';

export interface FaceSearchRequest {
  'images'?: (_ImageData)[];
  'tags'?: (string)[];
  'top_matches'?: (boolean);
}

export interface FaceSearchRequest__Output {
  'images': (_ImageData__Output)[];
  'tags': (string)[];
  'top_matches': (boolean);
}
