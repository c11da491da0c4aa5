import { z } from 'zod';
import { StationError } from '../../shared/errors.js';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { SqliteDatabase } from './database.js';
import type { SiteConfig } from './site-file.js';

/**
 * Station settings, kept in the encrypted queue database. Each key has a schema, a default and a flag saying
 * whether it is a secret. Secrets (the BWS client key) are write-only through every interface that a person
 * or the renderer can reach: `describe()` tells whether one is set, never its value.
 */
export const SETTINGS = {
  endpoint: { schema: z.string().url().or(z.literal('')), default: '', secret: false, help: 'BWS endpoint, https://host:port (or http://127.0.0.1:port for a local service)' },
  clientId: { schema: z.string(), default: '', secret: false, help: 'BWS client id' },
  key: { schema: z.string(), default: '', secret: true, help: 'BWS client key (base64, from the BWS portal)' },
  caFile: { schema: z.string(), default: '', secret: false, help: 'PEM file of extra CA certificates for the endpoint' },
  insecure: { schema: z.boolean(), default: false, help: 'allow plaintext to a non-loopback endpoint (not recommended)', secret: false },
  qualityProfile: { schema: z.enum(['enrollment', 'icao']), default: 'enrollment' as 'enrollment' | 'icao', secret: false, help: 'quality gate profile for stored images' },
  matchThreshold: { schema: z.number().min(0).max(1), default: 0.4, secret: false, help: 'cosine similarity above which two photos show the same person' },
  enforceLiveness: { schema: z.boolean(), default: false, secret: false, help: 'reject images whose passive liveness score is below the threshold' },
  enforceEyesOpen: { schema: z.boolean(), default: false, secret: false, help: 'reject images where the eye-state model sees closed eyes' },
  syncConcurrency: { schema: z.number().int().min(1).max(8), default: 2, secret: false, help: 'parallel sends' },
  embeddingRetentionDays: { schema: z.number().int().min(0), default: 30, secret: false, help: 'days to keep embeddings of synced jobs for the duplicate check (0 keeps none)' },
  camera: { schema: z.string().max(512), default: '', secret: false, help: 'camera to use (its label; empty: the first one)' },
  kioskMode: { schema: z.boolean(), default: false, secret: false, help: 'full screen without window controls; leaving it needs the administrator PIN' },
  testService: { schema: z.boolean(), default: false, secret: false, help: 'send enrollments to the built-in local test service instead of the BWS endpoint' },
  language: { schema: z.enum(['', 'en', 'de']), default: '' as '' | 'en' | 'de', secret: false, help: 'operator UI language: en, de, or empty for the OS language' },
  imagesPerEnrollment: { schema: z.number().int().min(1).max(10), default: 3, secret: false, help: 'photos the app keeps per enrollment when it captures automatically (the best by frame score)' },
  idleResetSeconds: { schema: z.number().int().min(0).max(3600), default: 120, secret: false, help: 'seconds without operator input after which the capture screen forgets the class id and photos (0: never)' },
  blockVirtualCameras: { schema: z.boolean(), default: false, secret: false, help: 'refuse known virtual cameras (OBS, ManyCam, phone apps ...) instead of only warning' },
  unsyncedRetentionDays: { schema: z.number().int().min(0), default: 0, secret: false, help: 'days after which unsynced jobs may be purged (0: never)' },
} as const;

export type SettingName = keyof typeof SETTINGS;
export type SettingValue<K extends SettingName> = z.infer<(typeof SETTINGS)[K]['schema']>;

export const SETTINGS_MIGRATION_SQL = `
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
`;

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name);
}

/** Where a setting's effective value comes from (before environment variables, which bws/config applies). */
export type SettingSource = 'site-locked' | 'settings' | 'site' | 'default';

/**
 * The settings of one queue, layered over the administrator's site file (site-file.ts): a locked site value
 * wins and cannot be changed here; otherwise a stored value wins over the site's, which wins over the default.
 */
export class SettingsStore {
  /** `db` null: a folder without a queue yet (defaults and the site file only; nothing can be written). */
  constructor(
    private readonly db: SqliteDatabase | null,
    readonly site: SiteConfig | null = null,
  ) {}

  get<K extends SettingName>(name: K): SettingValue<K> {
    // The order of source(), with one read of the stored value (the sync engine reads settings per job).
    const inSite = this.inSite(name);
    // The key itself is never in the site file, only the file that holds it (bws/config reads that file).
    const siteValue = () => (name === 'key' ? '' : this.site!.values[name]) as SettingValue<K>;
    if (inSite && this.isLocked(name)) return siteValue();
    const stored = this.storedValue(name);
    if (stored === undefined) return inSite ? siteValue() : (SETTINGS[name].default as SettingValue<K>);
    const parsed = SETTINGS[name].schema.safeParse(JSON.parse(stored));
    return (parsed.success ? parsed.data : SETTINGS[name].default) as SettingValue<K>;
  }

  private inSite(name: SettingName): boolean {
    return this.site !== null && (name === 'key' ? this.site.keyFile !== null : Object.hasOwn(this.site.values, name));
  }

  /** The stored value's JSON text, or undefined; the statement is prepared once (preparing costs more than reading). */
  private storedValue(name: string): string | undefined {
    if (!this.db) return undefined;
    this.readValue ??= this.db.prepare('SELECT value FROM settings WHERE name = ?').pluck();
    return this.readValue.get(name) as string | undefined;
  }

  private readValue: Statement | undefined;

  /** Locked by the site file: the value itself, or (for the key) the key file. */
  isLocked(name: SettingName): boolean {
    return this.site?.locked.has(name === 'key' ? 'keyFile' : name) ?? false;
  }

  source(name: SettingName): SettingSource {
    const inSite = this.inSite(name);
    if (inSite && this.isLocked(name)) return 'site-locked';
    if (this.isStored(name)) return 'settings';
    return inSite ? 'site' : 'default';
  }

  set<K extends SettingName>(name: K, value: unknown): void {
    if (this.isLocked(name)) {
      throw new StationError('SITE_LOCKED', `The setting "${name}" is locked by the administrator's site file ${this.site!.path}; change it there.`);
    }
    const parsed = SETTINGS[name].schema.safeParse(value);
    if (!parsed.success) {
      throw new StationError('USAGE', `Invalid value for ${name}: ${parsed.error.issues[0]?.message ?? 'rejected'}.`);
    }
    if (!this.db) throw new StationError('INTERNAL', 'Settings cannot be written without a queue database.');
    this.db
      .prepare('INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(name, JSON.stringify(parsed.data), new Date().toISOString());
  }

  /** Parses text typed by a person (CLI or a form field) into the setting's type, then stores it. */
  setFromText(name: SettingName, text: string): void {
    const example = SETTINGS[name].default;
    let value: unknown = text;
    if (typeof example === 'boolean') value = /^(1|true|yes|on)$/i.test(text.trim()) ? true : /^(0|false|no|off)$/i.test(text.trim()) ? false : text;
    else if (typeof example === 'number') value = text.trim() === '' ? Number.NaN : Number(text);
    this.set(name, value);
  }

  /**
   * Station state that is not a setting a person edits (e.g. the administrator PIN's hash and its lockout):
   * kept in the same encrypted table under a name outside SETTINGS, so `describe()` never shows it and
   * `set()` (the CLI's `config set`, the app's setSetting) can never write it.
   */
  getInternal(name: string): unknown {
    if (isSettingName(name)) throw new StationError('INTERNAL', `${name} is a setting, not internal state.`);
    const stored = this.storedValue(name);
    return stored === undefined ? undefined : (JSON.parse(stored) as unknown);
  }

  setInternal(name: string, value: unknown): void {
    if (isSettingName(name)) throw new StationError('INTERNAL', `${name} is a setting, not internal state.`);
    if (!this.db) throw new StationError('INTERNAL', 'Station state cannot be written without a queue database.');
    this.db
      .prepare('INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(name, JSON.stringify(value), new Date().toISOString());
  }

  /** Whether the setting has a value of its own (stored here or given by the site file). */
  isSet(name: SettingName): boolean {
    return this.source(name) !== 'default';
  }

  private isStored(name: SettingName): boolean {
    return this.storedValue(name) !== undefined;
  }

  /** Every setting with secrets masked: safe to print, log or send to the renderer. */
  describe(): SettingDescription[] {
    return describeSettings((name) => ({ value: this.get(name), isSet: this.isSet(name), locked: this.isLocked(name), source: this.source(name) }));
  }
}

export interface SettingDescription {
  name: SettingName;
  value: unknown;
  secret: boolean;
  isSet: boolean;
  help: string;
  /** Locked by the site file: shown read-only, refused by setSetting and `config set`. */
  locked: boolean;
  source: SettingSource;
}

/** Describes every setting from a lookup (a store, or just the defaults); secrets are masked. */
export function describeSettings(
  lookup: (name: SettingName) => { value: unknown; isSet: boolean; locked?: boolean; source?: SettingSource } = (name) => ({ value: SETTINGS[name].default, isSet: false }),
): SettingDescription[] {
  return (Object.keys(SETTINGS) as SettingName[]).map((name) => {
    const meta = SETTINGS[name];
    const { value, isSet, locked = false, source = 'default' } = lookup(name);
    const secretSet = isSet && (value !== '' || source === 'site' || source === 'site-locked');
    return { name, value: meta.secret ? (secretSet ? '(set)' : '(not set)') : value, secret: meta.secret, isSet, help: meta.help, locked, source };
  });
}
