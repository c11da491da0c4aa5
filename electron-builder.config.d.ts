// Types of electron-builder.config.js for the tests that read it.
import type { Configuration } from 'electron-builder';

export declare const NATIVE_PACKAGES: string[];
export declare const FUSES: NonNullable<Configuration['electronFuses']>;
declare const config: Configuration;
export default config;
