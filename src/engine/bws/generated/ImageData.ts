// Original file: proto/bwsmessages.proto


export interface ImageData {
  'image'?: (Buffer | Uint8Array | string);
  'tags'?: (string)[];
}

export interface ImageData__Output {
  'image': (Buffer);
  'tags': (string)[];
}
