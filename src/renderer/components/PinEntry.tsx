import { useState, type FormEvent } from 'react';
import { useIntl } from 'react-intl';
import type { AdminState } from '../hooks/useAdminStatus.js';
import { waitParts } from '../i18n/time.js';
import { useT } from '../i18n/useT.js';
import { describeError } from '../station.js';
import { ErrorText } from './ErrorText.js';
import { Field, type FieldControl } from './Field.js';

/**
 * A refused PIN in words, or null when `failure` is no PIN problem: a lockout with the wait remaining (by the
 * engine's clock; shown whenever one runs), a wrong PIN with the tries left, a PIN of the wrong form.
 */
export function usePinProblem(admin: AdminState, failure: unknown): string | null {
  const t = useT();
  const intl = useIntl();
  const wait = admin.status?.retryAfterSeconds ?? 0;
  const code = failure === null ? null : describeError(failure).code;
  if (wait > 0) {
    const parts = waitParts(wait);
    return t('settings.pin.locked', { wait: intl.formatNumber(parts.value, { style: 'unit', unit: parts.unit, unitDisplay: 'long' }) });
  }
  if (code === 'PIN_WRONG') return t('settings.pin.wrong', { tries: admin.status?.triesLeft ?? 0 });
  if (code === 'USAGE') return t('settings.pin.format');
  return null;
}

/** A PIN box: hidden digits, a numeric keypad on touch screens, nothing but digits kept, never autofilled. */
export function PinInput({ control, value, onChange }: { control: FieldControl; value: string; onChange(value: string): void }) {
  return <input {...control} type="password" inputMode="numeric" autoComplete="off" maxLength={12} value={value} onChange={(event) => onChange(event.target.value.replace(/\D/g, ''))} />;
}

interface Props {
  admin: AdminState;
  id: string;
  label: string;
  submitLabel: string;
  /** The button of a consequential action (an override) is marked as such. */
  danger?: boolean;
  /** Uses the PIN (unlock, override); rejects with the engine's error when the PIN is refused. */
  onPin(pin: string): Promise<void>;
}

/**
 * Asks for the administrator PIN and hands it to `onPin`. A refusal is explained in words (usePinProblem);
 * while a lockout runs the button is disabled. The PIN is cleared after each try.
 */
export function PinEntry({ admin, id, label, submitLabel, danger = false, onPin }: Props) {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const problem = usePinProblem(admin, failure);
  const wait = admin.status?.retryAfterSeconds ?? 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onPin(pin);
      setFailure(null);
    } catch (error) {
      setFailure(error);
    } finally {
      setPin('');
      setBusy(false);
      await admin.refresh();
    }
  };

  // PIN_LOCKED is explained by the wait while it runs; once it is over there is nothing left to say.
  const other = failure !== null && problem === null && describeError(failure).code !== 'PIN_LOCKED';
  return (
    <form className="pin-entry" onSubmit={(event) => void submit(event)}>
      <Field id={id} label={label} error={problem} live>
        {(control) => <PinInput control={control} value={pin} onChange={setPin} />}
      </Field>
      <button type="submit" className={danger ? 'danger' : 'primary'} disabled={pin === '' || busy || wait > 0}>
        {submitLabel}
      </button>
      {other ? <ErrorText error={failure} /> : null}
    </form>
  );
}
