// Original file: proto/bwsmessages.proto


export interface JobError {
  'error_code'?: (string);
  'message'?: (string);
}

export interface JobError__Output {
  'error_code': (string);
  'message': (string);
}
