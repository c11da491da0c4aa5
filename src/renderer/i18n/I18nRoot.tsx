import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { IntlProvider } from 'react-intl';
import type { StationApi } from '../../shared/contract.js';
import { DEFAULT_UI_LOCALE, type UiLocale } from '../../shared/locale.js';
import { messagesFor } from './catalog.js';

interface LocaleControl {
  locale: UiLocale;
  /** Asks the engine again (after the language setting changed). */
  refresh(): Promise<void>;
}

const LocaleContext = createContext<LocaleControl>({ locale: DEFAULT_UI_LOCALE, refresh: async () => undefined });

export function useLocaleControl(): LocaleControl {
  return useContext(LocaleContext);
}

/**
 * The UI language comes from the engine (`info().locale`: the language setting, else the OS languages main
 * reported, else English); the renderer never guesses. `<html lang>` follows, so screen readers pronounce
 * German as German. A message missing from a catalog is reported on the console, which the browser tests
 * treat as a failure.
 */
export function I18nRoot({ api, children }: { api: StationApi | null; children: ReactNode }) {
  const [locale, setLocale] = useState<UiLocale | null>(api ? null : DEFAULT_UI_LOCALE);

  const refresh = useCallback(async () => {
    if (!api) return;
    try {
      setLocale((await api.info()).locale);
    } catch {
      setLocale((current) => current ?? DEFAULT_UI_LOCALE);
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (locale) document.documentElement.lang = locale;
  }, [locale]);

  if (!locale) return null;
  return (
    <LocaleContext.Provider value={{ locale, refresh }}>
      <IntlProvider locale={locale} defaultLocale={DEFAULT_UI_LOCALE} messages={messagesFor(locale)} onError={(error) => console.error(`i18n: ${error.code}: ${error.message}`)}>
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}
