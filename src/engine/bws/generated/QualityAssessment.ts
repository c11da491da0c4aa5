// Original file: proto/bwsmessages.proto


export interface QualityAssessment {
  'check'?: (string);
  'score'?: (number | string);
  'message'?: (string);
}

export interface QualityAssessment__Output {
  'check': (string);
  'score': (number);
  'message': (string);
}
