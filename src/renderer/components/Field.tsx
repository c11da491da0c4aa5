import type { ReactNode } from 'react';

/** What a form control inside a Field needs to be tied to its label and its help or error line. */
export interface FieldControl {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

interface FieldProps {
  id: string;
  label: string;
  /** A line under the control: what to type. Replaced by `error` while the value is wrong. */
  hint?: string | null;
  /** What is wrong with the value, in words (shown in place of the hint, and marks the control invalid). */
  error?: string | null;
  /** Announce changes of the hint or error line (for lines that change as the person types). */
  live?: boolean;
  className?: string;
  /** The control, given the id and aria attributes that tie it to the label and the line. */
  children(control: FieldControl): ReactNode;
}

/**
 * One labelled form field: label, control, and one line that is either help or the error in words. The line's
 * id is `<id>-help`, referenced by the control's aria-describedby, so screen readers read it with the control.
 */
export function Field({ id, label, hint = null, error = null, live = false, className = 'field', children }: FieldProps) {
  const line = error ?? hint;
  const lineId = `${id}-help`;
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error !== null, 'aria-describedby': line !== null ? lineId : undefined })}
      {line !== null ? (
        <p id={lineId} className={error !== null ? 'field-error' : 'field-help'} aria-live={live ? 'polite' : undefined}>
          {line}
        </p>
      ) : null}
    </div>
  );
}

/** A checkbox with its label beside it and an optional help line. */
export function CheckField({ id, label, hint, checked, disabled, onChange }: { id: string; label: string; hint?: string; checked: boolean; disabled?: boolean; onChange(checked: boolean): void }) {
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(event) => onChange(event.target.checked)} aria-describedby={hint ? `${id}-help` : undefined} />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-help`} className="field-help">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** Success or progress in words, announced politely; errors use ErrorText (an alert). */
export function Notice({ text, tone = 'ok', testId }: { text: string | null; tone?: 'ok' | 'info' | 'warn'; testId?: string }) {
  return (
    <div className="notice" role="status" aria-live="polite" data-testid={testId}>
      {text ? <p className={`tone-${tone}`}>{text}</p> : null}
    </div>
  );
}
