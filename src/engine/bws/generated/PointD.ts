// Original file: proto/bwsmessages.proto


export interface PointD {
  'x'?: (number | string);
  'y'?: (number | string);
}

export interface PointD__Output {
  'x': (number);
  'y': (number);
}
