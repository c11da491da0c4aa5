// Original file: proto/bwsmessages.proto

export const JobStatus = {
  SUCCEEDED: 'SUCCEEDED',
  FAULTED: 'FAULTED',
  CANCELLED: 'CANCELLED',
} as const;

export type JobStatus =
  | 'SUCCEEDED'
  | 0
  | 'FAULTED'
  | 1
  | 'CANCELLED'
  | 2

export type JobStatus__Output = typeof JobStatus[keyof typeof JobStatus]
