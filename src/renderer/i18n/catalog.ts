/// <reference types="vite/client" />
import { DEFAULT_UI_LOCALE, UI_LOCALES, type UiLocale } from '../../shared/locale.js';

/**
 * Message catalogs: one JSON file per screen area and locale (`en/queue.json`, `de/queue.json`, ...), each a
 * flat map of stable dotted ids (`queue.state.synced`) to ICU messages. Ids start with the file's area, so an
 * id says where it lives and two areas can never collide. All files of a locale merge into one flat map.
 * A new area is a new pair of files: nothing here changes.
 */
const files = import.meta.glob<Record<string, string>>('./*/*.json', { eager: true, import: 'default' });

export type Catalog = Readonly<Record<string, string>>;

/** Every catalog file as `{ locale, area, messages }` (the catalog tests check each file on its own). */
export function catalogFiles(): Array<{ locale: string; area: string; messages: Catalog }> {
  return Object.entries(files).map(([file, messages]) => {
    const [, locale = '', area = ''] = /^\.\/([^/]+)\/([^/]+)\.json$/.exec(file) ?? [];
    return { locale, area, messages };
  });
}

const merged = new Map<UiLocale, Catalog>(
  UI_LOCALES.map((locale) => [locale, Object.freeze(Object.assign({}, ...catalogFiles().filter((file) => file.locale === locale).map((file) => file.messages)) as Record<string, string>)]),
);

/** The flat message map of one UI locale. */
export function messagesFor(locale: UiLocale): Catalog {
  return merged.get(locale) ?? merged.get(DEFAULT_UI_LOCALE)!;
}
