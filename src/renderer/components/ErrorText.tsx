import { describeError } from '../station.js';
import { errorMessageId } from '../i18n/errors.js';
import { useT } from '../i18n/useT.js';

/**
 * An error for the operator: the translated sentence for its code, with the engine's own (English) words and
 * the code behind "Details", for whoever supports the station. Announced as an alert.
 */
export function ErrorText({ error, className = 'error' }: { error: unknown; className?: string }) {
  const t = useT();
  const { code, message } = describeError(error);
  return (
    <div role="alert" className={className}>
      <p className="error-text">{t(errorMessageId(code))}</p>
      <details className="error-details">
        <summary>{t('errors.details')}</summary>
        <p>{message}</p>
        <p className="mono">{t('errors.detailsCode', { code })}</p>
      </details>
    </div>
  );
}
