import { useCallback } from 'react';
import { useIntl } from 'react-intl';

type Values = Record<string, string | number | boolean | Date | null | undefined>;

/**
 * `t('queue.title')`: the message for a literal catalog id in the current language. Ids are always string
 * literals (the catalog test reads them out of the source to prove each one exists in every language).
 */
export function useT(): (id: string, values?: Values) => string {
  const intl = useIntl();
  return useCallback((id: string, values?: Values) => intl.formatMessage({ id }, values), [intl]);
}
