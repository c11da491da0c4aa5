import type { Command } from 'commander';
import { configGetDocumentSchema, configSetDocumentSchema, pinHashDocumentSchema } from '../../../shared/json-documents.js';
import { StationError } from '../../../shared/errors.js';
import fs from 'node:fs';
import { dataPaths } from '../../paths.js';
import { SETTINGS, type SettingName, SettingsStore, isSettingName } from '../../store/settings.js';
import { loadSiteConfig } from '../../store/site-file.js';
import { action, type CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { readSecret } from '../secrets.js';

/** CLI spelling (kebab-case, plus a few short aliases) -> setting name. */
const ALIASES: Record<string, SettingName> = { threshold: 'matchThreshold', profile: 'qualityProfile', concurrency: 'syncConcurrency', retention: 'embeddingRetentionDays' };

export function settingFromCli(name: string): SettingName {
  const camel = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const resolved = ALIASES[name] ?? camel;
  if (!isSettingName(resolved)) {
    throw new StationError('USAGE', `Unknown setting "${name}". Known: ${Object.keys(SETTINGS).map(toKebab).join(', ')}.`);
  }
  return resolved;
}

export function toKebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const ENV_OVERRIDES: Partial<Record<SettingName, string>> = { endpoint: 'BWS_ENDPOINT', clientId: 'BWS_CLIENT_ID', key: 'BWS_KEY' };

export function registerConfig(program: Command): void {
  const config = program.command('config').description('read and change station settings (stored encrypted in the queue database)');

  config
    .command('get [name]')
    .description('show one setting, or all of them (the BWS key is never shown, only whether it is set)')
    .action(
      action(async (context, name: string | undefined) => {
        const wanted = name ? settingFromCli(name) : null;
        await withSettings(context, false, (settings) => {
          const all = settings.describe().filter((entry) => !wanted || entry.name === wanted);
          const rows = all.map((entry) => ({ name: toKebab(entry.name), value: entry.value, source: entry.source, locked: entry.locked, overriddenBy: entry.locked ? null : overriddenBy(context, entry.name) }));
          const note = (row: (typeof rows)[number]) => (row.locked ? 'locked by the site file' : row.overriddenBy ? `overridden by ${row.overriddenBy}` : row.source === 'site' ? 'from the site file' : '');
          if (context.json) context.out.document(configGetDocumentSchema, { settings: rows });
          else context.out.line(formatTable(['setting', 'value', 'note'], rows.map((row) => [row.name, displayValue(row.value), note(row)])));
        });
      }),
    );

  config
    .command('pin-hash')
    .description("make the administrator PIN's hash line for a site file (\"adminPinHash\"); the PIN is read from stdin or a hidden prompt")
    .action(
      action(async (context) => {
        const { checkPinFormat, formatPinRecord, hashPin } = await import('../../store/admin-pin.js');
        const pin = await readSecret({ prompt: 'administrator PIN (4-12 digits): ', out: context.out, what: 'PIN' });
        checkPinFormat(pin);
        const line = formatPinRecord(await hashPin(pin));
        if (context.json) context.out.document(pinHashDocumentSchema, { adminPinHash: line });
        else context.out.line(line);
      }),
    );

  config
    .command('set <name> [value]')
    .description('change a setting; the key is read from --key-file, stdin or a hidden prompt, never from the command line by default')
    .option('--key-file <file>', 'read the BWS key from this file')
    .action(
      action(async (context, name: string, value: string | undefined, options: { keyFile?: string }) => {
        const setting = settingFromCli(name);
        let text = value;
        if (SETTINGS[setting].secret) {
          text = await readSecret({ literal: value, file: options.keyFile, prompt: `${toKebab(setting)}: `, out: context.out, what: 'BWS key' });
          // Empty input (an empty file, a failed pipe, Enter at the prompt) must not silently wipe a stored key;
          // only an explicit empty value on the command line clears it.
          if (text === '' && value === undefined) throw new StationError('USAGE', 'No BWS key was read (the input was empty); nothing changed. To remove the key, run: station config set key "".');
          if (text !== '' && !/^[A-Za-z0-9+/=_-]+$/.test(text)) throw new StationError('USAGE', 'The BWS key must be the base64 text shown in the BWS portal.');
        } else if (text === undefined) {
          throw new StationError('USAGE', `Give a value: station config set ${name} <value>.`);
        }
        if (setting === 'endpoint' && text !== '') await checkEndpointForm(text ?? '');
        await withSettings(context, true, (settings) => settings.setFromText(setting, text ?? ''));
        const shown = SETTINGS[setting].secret ? (text === '' ? '(removed)' : '(set; it will not be shown again)') : text;
        if (context.json) context.out.document(configSetDocumentSchema, { ok: true, setting: toKebab(setting) });
        else context.out.line(`${toKebab(setting)} = ${shown}`);
        const env = ENV_OVERRIDES[setting];
        if (env && context.env[env]) context.out.warn(`${env} is set in the environment and overrides this setting.`);
      }),
    );
}

/** Refuses what can never be an endpoint (scheme, path, no host) before it is stored; plaintext is judged at use. */
async function checkEndpointForm(text: string): Promise<void> {
  const { parseEndpoint } = await import('../../bws/endpoint.js');
  try {
    parseEndpoint(text, { insecure: true });
  } catch (error) {
    throw new StationError('USAGE', (error as Error).message);
  }
}

function overriddenBy(context: CliContext, name: SettingName): string | null {
  const env = ENV_OVERRIDES[name];
  return env && context.env[env] ? env : null;
}

function displayValue(value: unknown): string {
  if (value === '') return '(not set)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function withSettings<T>(context: CliContext, create: boolean, body: (settings: SettingsView) => T): Promise<T> {
  const site = loadSiteConfig(context.env);
  if (!create && !fs.existsSync(dataPaths(context.dataDir).queueDb)) return body(new SettingsStore(null, site));
  const { openQueueDatabase } = await import('../../store/queue-db.js');
  const db = await openQueueDatabase({ dataDir: context.dataDir, keyProvider: context.keyProvider, create, integrityCheck: 'quick', newQueue: context.newQueue });
  try {
    return body(new SettingsStore(db, site));
  } finally {
    db.close();
  }
}

type SettingsView = Pick<SettingsStore, 'describe' | 'setFromText'>;
