/**
 * The languages the operator UI ships, and how one is chosen: an administrator's override (the `language`
 * setting) wins; otherwise the first of the OS's preferred languages that the UI speaks; otherwise English.
 * Matching is by language ("de-AT" and "de-CH" get German), as the catalogs are not regional.
 */
export const UI_LOCALES = ['en', 'de'] as const;
export type UiLocale = (typeof UI_LOCALES)[number];
export const DEFAULT_UI_LOCALE: UiLocale = 'en';

function asUiLocale(tag: string): UiLocale | null {
  const language = tag.trim().replace(/_/g, '-').split('-')[0]?.toLowerCase() ?? '';
  return (UI_LOCALES as readonly string[]).includes(language) ? (language as UiLocale) : null;
}

export function matchUiLocale(override: string, preferred: readonly string[]): UiLocale {
  if (override) {
    const chosen = asUiLocale(override);
    if (chosen) return chosen;
  }
  for (const tag of preferred) {
    const match = asUiLocale(tag);
    if (match) return match;
  }
  return DEFAULT_UI_LOCALE;
}
