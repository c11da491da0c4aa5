import fs from 'node:fs';
import { StationError } from '../../shared/errors.js';
import type { SettingsStore } from '../store/settings.js';
import type { BwsClientOptions } from './client.js';

/** Options given on the command line (or by a caller) that win over env and settings. */
export interface BwsOverrides {
  endpoint?: string | undefined;
  clientId?: string | undefined;
  /** A literal key (the CLI warns that it is visible to other local users). */
  key?: string | undefined;
  keyFile?: string | undefined;
  caFile?: string | undefined;
  insecure?: boolean | undefined;
}

export type ConfigSource = 'option' | 'key-file' | 'env' | 'settings' | 'site' | 'none';

export interface ResolvedBwsConfig {
  endpoint: string;
  clientId: string;
  /** Base64 client key ('' when missing). Never print it. */
  key: string;
  caFile: string;
  insecure: boolean;
  sources: { endpoint: ConfigSource; clientId: ConfigSource; key: ConfigSource };
  /** Names of the missing values (endpoint, clientId, key); empty when complete. */
  missing: string[];
}

/**
 * Endpoint, client id and key for BWS. Precedence: explicit overrides (options, --key-file), then what the
 * administrator's site file locks, then env (BWS_ENDPOINT, BWS_CLIENT_ID, BWS_KEY, BWS_KEY_FILE, BWS_CA_FILE),
 * then the station's settings (stored, else the site file's unlocked values), then the site file's key file.
 */
export function resolveBwsConfig(input: { settings?: SettingsStore | undefined; env: NodeJS.ProcessEnv; overrides?: BwsOverrides | undefined }): ResolvedBwsConfig {
  const { settings, env } = input;
  const overrides = input.overrides ?? {};
  const siteSource = (name: 'endpoint' | 'clientId' | 'caFile'): ConfigSource => (settings && settings.source(name) !== 'settings' ? 'site' : 'settings');
  const pick = (name: 'endpoint' | 'clientId' | 'caFile', option: string | undefined, envValue: string | undefined): [string, ConfigSource] => {
    const setting = settings?.get(name);
    if (option?.trim()) return [option.trim(), 'option'];
    if (settings?.isLocked(name)) return [setting!.trim(), 'site'];
    if (envValue?.trim()) return [envValue.trim(), 'env'];
    if (setting?.trim()) return [setting.trim(), siteSource(name)];
    return ['', 'none'];
  };
  const [endpoint, endpointSource] = pick('endpoint', overrides.endpoint, env.BWS_ENDPOINT);
  const [clientId, clientIdSource] = pick('clientId', overrides.clientId, env.BWS_CLIENT_ID);

  let key = '';
  let keySource: ConfigSource = 'none';
  const siteKeyFile = settings?.site?.keyFile ?? null;
  if (overrides.key?.trim()) [key, keySource] = [overrides.key.trim(), 'option'];
  else if (overrides.keyFile) [key, keySource] = [readKeyFile(overrides.keyFile), 'key-file'];
  else if (siteKeyFile && settings?.isLocked('key')) [key, keySource] = [readKeyFile(siteKeyFile), 'site'];
  else if (env.BWS_KEY?.trim()) [key, keySource] = [env.BWS_KEY.trim(), 'env'];
  else if (env.BWS_KEY_FILE?.trim()) [key, keySource] = [readKeyFile(env.BWS_KEY_FILE.trim()), 'key-file'];
  else if (settings?.get('key')?.trim()) [key, keySource] = [settings.get('key').trim(), 'settings'];
  else if (siteKeyFile) [key, keySource] = [readKeyFile(siteKeyFile), 'site'];

  const [caFile] = pick('caFile', overrides.caFile, env.BWS_CA_FILE);
  const insecure = overrides.insecure ?? (/^(1|true|yes)$/i.test(env.BWS_INSECURE ?? '') || Boolean(settings?.get('insecure')));
  const missing = [!endpoint && 'endpoint', !clientId && 'clientId', !key && 'key'].filter((name): name is string => Boolean(name));
  return { endpoint, clientId, key, caFile, insecure, sources: { endpoint: endpointSource, clientId: clientIdSource, key: keySource }, missing };
}

/** Client options from a complete configuration; a coded error naming what is missing otherwise. */
export function clientOptionsFrom(config: ResolvedBwsConfig): BwsClientOptions {
  if (config.missing.length > 0) {
    const hints: Record<string, string> = { endpoint: '--endpoint or BWS_ENDPOINT', clientId: '--client-id or BWS_CLIENT_ID', key: '--key-file, BWS_KEY or --key' };
    throw new StationError('NOT_CONFIGURED', `BWS is not configured: missing ${config.missing.map((name) => `${name} (${hints[name]})`).join(', ')}. Or set them in the station settings.`);
  }
  return { endpoint: config.endpoint, clientId: config.clientId, key: config.key, ...(config.caFile ? { caFile: config.caFile } : {}), insecure: config.insecure };
}

export function readKeyFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new StationError('NOT_CONFIGURED', `Cannot read the key file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  const key = text.trim();
  if (!key) throw new StationError('KEY_INVALID', `The key file ${file} is empty.`);
  return key;
}
