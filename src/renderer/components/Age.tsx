import { useIntl } from 'react-intl';
import { relativeTime } from '../i18n/time.js';

/** "3 min ago" / "vor 3 Min." with the full local date and time on hover and for screen readers. */
export function Age({ iso, now }: { iso: string; now: number }) {
  const intl = useIntl();
  const relative = relativeTime(iso, now);
  if (!relative) return null;
  const full = intl.formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <time dateTime={iso} title={full}>
      {intl.formatRelativeTime(relative.value, relative.unit, { numeric: 'auto', style: 'short' })}
    </time>
  );
}
