import { readFileSync } from 'node:fs';
import { projectRoot } from './models/manifest.js';

let cached: string | undefined;

/** The station's version, from package.json (one source of truth for the CLI, doctor and the app). */
export function stationVersion(): string {
  cached ??= (JSON.parse(readFileSync(`${projectRoot()}/package.json`, 'utf8')) as { version: string }).version;
  return cached;
}
