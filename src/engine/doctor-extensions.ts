import type { DoctorCheck } from '../shared/contract.js';
import type { KeyProvider } from './store/keys.js';

export interface DoctorExtensionInput {
  dataDir: string;
  keyProvider: KeyProvider;
  env: NodeJS.ProcessEnv;
  network: boolean;
  folderExists: boolean;
  queueDbExists: boolean;
}

export type DoctorExtension = (input: DoctorExtensionInput) => Promise<DoctorCheck[]>;

/**
 * Checks contributed by the parts built on top of the foundation (queue counts, BWS endpoint, last sync).
 * Kept in one list so `station doctor` and the app's Settings screen show the same report.
 */
export const doctorExtensions: DoctorExtension[] = [];
