import fs from 'node:fs';
import path from 'node:path';
import { StationError } from '../../shared/errors.js';
import { PRODUCT_NAME } from '../paths.js';
import { isSettingName, SETTINGS, type SettingName } from './settings.js';
import { parsePinRecord, type PinRecord } from './admin-pin.js';

/**
 * The site file: an administrator's preconfiguration of every station on a machine (written by the installer
 * or a deployment tool, readable by the station's users, writable only by administrators). It sets settings
 * by their names (endpoint, clientId, caFile, language, imagesPerEnrollment, kiosk mode, the administrator PIN
 * hash, ...), validated with the settings' own schemas, names the BWS key file (the key itself never goes in
 * this file), and may lock settings so that neither the app nor `station config set` can change them.
 *
 *   { "endpoint": "https://face.bws-eu.bioid.com", "clientId": "...", "keyFile": "/etc/enrollment-station/bws.key",
 *     "language": "de", "locked": ["endpoint", "clientId", "keyFile"] }
 *
 * `"locked": true` locks everything the file sets. A bad file is an error that names the file and the entry,
 * never the value (the file may sit next to secrets).
 */
export const SITE_FILE_ENV = 'STATION_SITE_FILE';

/** Where the site file lives on each OS (machine-wide, not per user). */
export function defaultSiteFilePath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', PRODUCT_NAME, 'site.json');
    case 'darwin':
      return path.posix.join('/Library/Application Support', PRODUCT_NAME, 'site.json');
    default:
      return '/etc/enrollment-station/site.json';
  }
}

/** STATION_SITE_FILE (tests, unusual layouts) or the OS's location. */
export function siteFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env[SITE_FILE_ENV] ? path.resolve(env[SITE_FILE_ENV]) : defaultSiteFilePath(env);
}

/** A site setting's name: a station setting, or `keyFile` (the file holding the BWS client key). */
export type SiteEntryName = SettingName | 'keyFile';

export interface SiteConfig {
  path: string;
  /** Values of the settings the file sets, already validated and typed. */
  values: Partial<Record<SettingName, unknown>>;
  keyFile: string | null;
  locked: ReadonlySet<SiteEntryName>;
  /** The administrator PIN's hash ("adminPinHash"), always locked: the app cannot change it. */
  adminPin?: PinRecord | null;
}

const META_KEYS = new Set(['$schema', '$comment', 'locked', 'adminPinHash']);

function invalid(file: string, detail: string): StationError {
  return new StationError('SITE_FILE_INVALID', `The site file ${file} ${detail} Fix or remove it (it is read at every start).`);
}

/** Line and column of a character offset, for JSON syntax errors (never a quote of the text). */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** Validates a parsed site file. Exported for tests; the station uses loadSiteConfig. */
export function parseSiteConfig(file: string, raw: unknown): SiteConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(file, 'must hold one JSON object ({ "endpoint": ..., "locked": [...] }).');
  const entries = Object.entries(raw as Record<string, unknown>);
  const values: Partial<Record<SettingName, unknown>> = {};
  let keyFile: string | null = null;
  for (const [name, value] of entries) {
    if (META_KEYS.has(name)) continue;
    if (name === 'keyFile') {
      if (typeof value !== 'string' || value.trim() === '') throw invalid(file, 'has an invalid "keyFile": it must be the path of the file that holds the BWS client key.');
      keyFile = path.resolve(path.dirname(file), value.trim());
      continue;
    }
    if (!isSettingName(name)) throw invalid(file, `names an unknown setting "${name.slice(0, 64)}" (known: ${[...Object.keys(SETTINGS).filter((known) => !SETTINGS[known as SettingName].secret), 'keyFile'].join(', ')}).`);
    if (SETTINGS[name].secret) throw invalid(file, `must not hold the secret "${name}": put it in a file readable only by the station's users and name that file in "keyFile".`);
    const parsed = SETTINGS[name].schema.safeParse(value);
    if (!parsed.success) throw invalid(file, `has an invalid "${name}": ${parsed.error.issues[0]?.message ?? 'rejected'} (expected: ${SETTINGS[name].help}).`);
    values[name] = parsed.data;
  }
  const set = new Set<SiteEntryName>([...(Object.keys(values) as SettingName[]), ...(keyFile ? (['keyFile'] as const) : [])]);
  const lockedRaw = (raw as { locked?: unknown }).locked;
  let locked: Set<SiteEntryName>;
  if (lockedRaw === undefined || lockedRaw === false) locked = new Set();
  else if (lockedRaw === true) locked = new Set(set);
  else if (Array.isArray(lockedRaw) && lockedRaw.every((name) => typeof name === 'string')) {
    const notSet = (lockedRaw as string[]).filter((name) => !set.has(name as SiteEntryName));
    if (notSet.length > 0) throw invalid(file, `locks ${notSet.map((name) => `"${name.slice(0, 64)}"`).join(', ')} without setting ${notSet.length === 1 ? 'it' : 'them'}: a locked setting needs its value in the same file.`);
    locked = new Set(lockedRaw as SiteEntryName[]);
  } else throw invalid(file, 'has an invalid "locked": use true (lock everything the file sets) or a list of setting names.');
  const pinText = (raw as { adminPinHash?: unknown }).adminPinHash;
  let adminPin: PinRecord | null = null;
  if (pinText !== undefined) {
    adminPin = typeof pinText === 'string' ? parsePinRecord(pinText) : null;
    if (!adminPin) throw invalid(file, 'has an invalid "adminPinHash": make it with `station config pin-hash` and paste the line it prints.');
  }
  return { path: file, values, keyFile, locked, adminPin };
}

/**
 * Reads the site file: null when there is none at the OS's location; a coded error for a file that cannot be
 * read or is invalid, and for a STATION_SITE_FILE that does not exist (someone asked for it explicitly).
 */
export function loadSiteConfig(env: NodeJS.ProcessEnv = process.env): SiteConfig | null {
  const file = siteFilePath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !env[SITE_FILE_ENV]) return null;
    throw new StationError('SITE_FILE_UNREADABLE', `Cannot read the site file ${file} (${code ?? (error as Error).message}). ${code === 'EACCES' ? "Make it readable by the station's users." : 'Check the path.'}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    // V8's message may quote the text around the mistake: report the position only.
    const offset = /position (\d+)/.exec((error as Error).message)?.[1];
    throw invalid(file, `is not valid JSON${offset ? ` (${lineAndColumn(text, Number(offset))})` : ''}.`);
  }
  return parseSiteConfig(file, raw);
}
