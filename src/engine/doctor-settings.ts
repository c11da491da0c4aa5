import { toErrorInfo } from '../shared/errors.js';
import type { DoctorCheck } from '../shared/schemas.js';
import { type SettingDescription, SettingsStore } from './store/settings.js';
import { loadSiteConfig, siteFilePath, type SiteConfig } from './store/site-file.js';

/** Environment variables that override a setting for the BWS connection (bws/config.ts), unless locked. */
const ENV_OVERRIDES: Record<string, string[]> = { endpoint: ['BWS_ENDPOINT'], clientId: ['BWS_CLIENT_ID'], key: ['BWS_KEY', 'BWS_KEY_FILE'], caFile: ['BWS_CA_FILE'], insecure: ['BWS_INSECURE'] };

/** The site file as the doctor reports it; `site` is what the rest of the doctor should use (null when bad). */
export function siteFileDoctorCheck(env: NodeJS.ProcessEnv): { check: DoctorCheck; site: SiteConfig | null } {
  try {
    const site = loadSiteConfig(env);
    if (!site) return { check: { name: 'site file', ok: true, detail: `none (${siteFilePath(env)})` }, site };
    const count = Object.keys(site.values).length + (site.keyFile ? 1 : 0);
    return { check: { name: 'site file', ok: true, detail: `${site.path}: ${count} setting(s), ${site.locked.size} locked` }, site };
  } catch (error) {
    const info = toErrorInfo(error);
    return { check: { name: 'site file', ok: false, code: info.code, detail: info.message }, site: null };
  }
}

function origin(entry: SettingDescription, env: NodeJS.ProcessEnv): string {
  if (entry.locked) return entry.name === 'key' ? 'key file named by the site file, locked' : 'site file, locked';
  const fromEnv = ENV_OVERRIDES[entry.name]?.find((name) => env[name]?.trim());
  if (fromEnv) return `environment ${fromEnv}`;
  if (entry.source === 'site') return entry.name === 'key' ? 'key file named by the site file' : 'site file';
  return entry.source === 'settings' ? 'station settings' : 'default';
}

/** One line per setting: its effective value (secrets masked, as everywhere) and where it came from. */
export function settingsDoctorChecks(settings: SettingsStore, env: NodeJS.ProcessEnv): DoctorCheck[] {
  return settings.describe().map((entry) => {
    const envName = entry.locked ? undefined : ENV_OVERRIDES[entry.name]?.find((name) => env[name]?.trim());
    let value = JSON.stringify(entry.value);
    if (entry.secret) value = envName ? '(set)' : String(entry.value);
    else if (envName) value = JSON.stringify(env[envName]!.trim());
    return { name: `setting ${entry.name}`, ok: true, detail: `${value} (${origin(entry, env)})` };
  });
}

/** For a folder without a queue: the defaults and the site file. */
export function settingsWithoutQueue(site: SiteConfig | null): SettingsStore {
  return new SettingsStore(null, site);
}
