import fs from 'node:fs';
import path from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { createIntl } from 'react-intl';
import { describe, expect, it } from 'vitest';
import { catalogFiles, messagesFor } from '../../src/renderer/i18n/catalog.js';
import { errorMessageId } from '../../src/renderer/i18n/errors.js';
import { ERROR_CODES } from '../../src/shared/errors.js';
import { UI_LOCALES } from '../../src/shared/locale.js';

/**
 * The catalogs, checked without a browser: a string missing from a language, a message that does not parse,
 * an argument renamed in one language only, or an id used in the UI but missing from the catalogs fails here.
 */
const rendererDir = path.resolve(import.meta.dirname, '../../src/renderer');
const en = messagesFor('en');
const de = messagesFor('de');
const files = catalogFiles();
const areas = [...new Set([...files.map((file) => file.area), 'capture', 'review'])];

type Argument = { name: string; type: string };

/** Every argument of a message (nested in plural/select branches and tags too), as `name:type`. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    const add = (arg: Argument) => into.add(`${arg.name}:${arg.type}`);
    switch (element.type) {
      case TYPE.argument:
        add({ name: element.value, type: 'text' });
        break;
      case TYPE.number:
        add({ name: element.value, type: 'number' });
        break;
      case TYPE.date:
      case TYPE.time:
        add({ name: element.value, type: 'date' });
        break;
      case TYPE.plural:
        add({ name: element.value, type: 'number' });
        for (const option of Object.values(element.options)) argumentsOf(option.value, into);
        break;
      case TYPE.select:
        add({ name: element.value, type: `select(${Object.keys(element.options).sort().join('|')})` });
        for (const option of Object.values(element.options)) argumentsOf(option.value, into);
        break;
      case TYPE.tag:
        add({ name: element.value, type: 'tag' });
        argumentsOf(element.children, into);
        break;
      default:
        break;
    }
  }
  return into;
}

/** Sample values that satisfy every argument of a message. */
function sampleValues(args: Set<string>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of args) {
    const [name = '', type = ''] = arg.split(':');
    if (type === 'number') values[name] = 3;
    else if (type === 'date') values[name] = new Date(Date.UTC(2025, 0, 2, 13, 5));
    else if (type === 'tag') values[name] = (chunks: unknown[]) => chunks.join('');
    else if (type.startsWith('select(')) values[name] = type.slice(7, -1).split('|').find((option) => option !== 'other') ?? 'other';
    else values[name] = 'x';
  }
  return values;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

describe('message catalogs', () => {
  it('has every area in every language, and each file holds only ids of its own area', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const locale of UI_LOCALES) {
      expect(files.filter((file) => file.locale === locale).map((file) => file.area).sort()).toEqual(files.filter((file) => file.locale === 'en').map((file) => file.area).sort());
    }
    for (const file of files) {
      for (const id of Object.keys(file.messages)) expect(id.startsWith(`${file.area}.`), `${file.locale}/${file.area}.json: ${id}`).toBe(true);
    }
  });

  it('names each id once per file (a repeated key silently replaces the first sentence)', () => {
    const i18nDir = path.join(rendererDir, 'i18n');
    for (const locale of fs.readdirSync(i18nDir).filter((entry) => fs.statSync(path.join(i18nDir, entry)).isDirectory())) {
      for (const file of fs.readdirSync(path.join(i18nDir, locale)).filter((entry) => entry.endsWith('.json'))) {
        const ids = [...fs.readFileSync(path.join(i18nDir, locale, file), 'utf8').matchAll(/^\s*"([^"]+)"\s*:/gm)].map((match) => match[1]);
        const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
        expect(repeated, `${locale}/${file}`).toEqual([]);
      }
    }
  });

  it('has the same ids in English and German', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it('parses every message, with the same arguments in both languages', () => {
    for (const id of Object.keys(en)) {
      const english = argumentsOf(parse(en[id]!));
      const german = argumentsOf(parse(de[id]!));
      expect([...german].sort(), id).toEqual([...english].sort());
    }
  });

  it('formats every message in both languages without a formatting error', () => {
    for (const locale of UI_LOCALES) {
      const messages = messagesFor(locale);
      const intl = createIntl({
        locale,
        messages,
        onError: (error) => {
          throw error;
        },
      });
      for (const [id, message] of Object.entries(messages)) {
        const text = intl.formatMessage({ id }, sampleValues(argumentsOf(parse(message))) as Record<string, string>);
        expect(String(text).length, `${locale} ${id}`).toBeGreaterThan(0);
      }
    }
  });

  it('has a sentence for every error code', () => {
    for (const code of ERROR_CODES) expect(en[errorMessageId(code)], code).toBeDefined();
    expect(errorMessageId('SOMETHING_NEW')).toBe('errors.unknown');
    expect(en['errors.unknown']).toBeDefined();
  });

  it('knows every id the renderer uses, and the renderer builds none at run time', () => {
    const area = areas.join('|');
    const literal = new RegExp(`(['"\`])((?:${area})\\.[A-Za-z0-9_.]+)\\1`, 'g');
    const built = new RegExp(`(?:\`(?:${area})\\.[^\`]*\\$\\{|['"](?:${area})\\.[A-Za-z0-9_.]*['"]\\s*\\+)`);
    const used = new Set<string>();
    for (const file of sourceFiles(rendererDir)) {
      const source = fs.readFileSync(file, 'utf8');
      for (const match of source.matchAll(literal)) used.add(match[2]!);
      if (!file.endsWith(path.join('i18n', 'errors.ts'))) expect(built.test(source), `${path.relative(rendererDir, file)} builds a message id at run time`).toBe(false);
    }
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used].filter((id) => !(id in en) && !/\.json$/.test(id));
    expect(missing).toEqual([]);
  });

  it('formats numbers and dates for the chosen language', () => {
    const date = new Date(Date.UTC(2025, 0, 2, 13, 5));
    const german = createIntl({ locale: 'de', timeZone: 'UTC', messages: {} });
    const english = createIntl({ locale: 'en', timeZone: 'UTC', messages: {} });
    expect(german.formatNumber(1234.5)).toBe('1.234,5');
    expect(english.formatNumber(1234.5)).toBe('1,234.5');
    expect(german.formatDate(date, { dateStyle: 'short', timeStyle: 'short' })).toBe('02.01.25, 13:05');
    expect(german.formatRelativeTime(-3, 'minute')).toBe('vor 3 Minuten');
    expect(english.formatRelativeTime(-3, 'minute', { numeric: 'auto', style: 'short' })).toBe('3 min. ago');
  });

  it('claims that the photos show one person only when there are several', () => {
    const say = (locale: 'en' | 'de', used: number) =>
      createIntl({ locale, messages: messagesFor(locale) }).formatMessage({ id: 'capture.outcome.queued' }, { classId: '42', used, total: 3 });
    expect(say('en', 1)).toBe('Class 42 is queued with 1 of 3 photos. It is sent when the service is reachable.');
    expect(say('en', 3)).toBe('Class 42 is queued with 3 of 3 photos. All photos show the same person. It is sent when the service is reachable.');
    expect(say('de', 1)).toBe('Klasse 42 ist mit 1 von 3 Fotos in der Warteschlange. Sie wird gesendet, sobald der Dienst erreichbar ist.');
    expect(say('de', 2)).toContain('Alle Fotos zeigen dieselbe Person.');
  });
});
