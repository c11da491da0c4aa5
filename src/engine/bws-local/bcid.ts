import { StationError } from '../../shared/errors.js';

/**
 * Biometric Class ID: where BWS keeps a template, `<storage>/<partition>/<classId>` (e.g.
 * `bws/1/9223372036854775807`). The storage name and partition id come from the service's configuration (one
 * service instance serves one of each), the class id from the client. Templates are keyed by the whole BCID,
 * so two partitions in one database never see each other's templates.
 */
export const DEFAULT_STORAGE = 'bws';
export const DEFAULT_PARTITION = 1;
const MAX_PARTITION = 2_147_483_647;

export interface TemplateSpace {
  storage: string;
  partition: number;
}

/** Checks a storage name and partition id from configuration or the command line; a coded USAGE error otherwise. */
export function templateSpace(storage: string = DEFAULT_STORAGE, partition: number | string = DEFAULT_PARTITION): TemplateSpace {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(storage)) {
    throw new StationError('USAGE', `The storage name "${storage}" is not valid: use 1 to 64 letters, digits, '.', '_' or '-' (no '/').`);
  }
  const text = String(partition).trim();
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > MAX_PARTITION) {
    throw new StationError('USAGE', `The partition id "${text}" is not valid: use a whole number from 1 to ${MAX_PARTITION}.`);
  }
  return { storage, partition: number };
}

export function formatBcid(space: TemplateSpace, classId: string): string {
  return `${space.storage}/${space.partition}/${classId}`;
}
