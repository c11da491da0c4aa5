import { useState, type FormEvent } from 'react';
import type { StationApi } from '../../../shared/contract.js';
import { ErrorText } from '../../components/ErrorText.js';
import { Field, Notice } from '../../components/Field.js';
import { PinEntry, PinInput, usePinProblem } from '../../components/PinEntry.js';
import type { AdminState } from '../../hooks/useAdminStatus.js';
import { useT } from '../../i18n/useT.js';
import { describeError } from '../../station.js';

const PIN_FORMAT = /^[0-9]{4,12}$/;

/**
 * The administrator session at the top of Settings: without a PIN, an invitation to set one; locked, the
 * "Unlock with PIN" entry; open, "Lock" and changing the PIN (the current PIN is asked for once one is set).
 * The engine decides every step; this shows its answers.
 */
export function AdminPanel({ api, admin }: { api: StationApi; admin: AdminState }) {
  const t = useT();
  const [changing, setChanging] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const status = admin.status;
  if (!status) return null;

  const lock = async () => {
    admin.set(await api.lockAdmin());
    setChanging(false);
    setNotice(null);
  };

  return (
    <div className="admin-panel" data-testid="admin-panel">
      {!status.pinSet ? (
        <p className="tone-warn">{t('settings.admin.noPin')}</p>
      ) : status.unlocked ? (
        <p className="tone-ok">{t('settings.admin.unlocked')}</p>
      ) : (
        <p id="settings-readonly">{t('settings.admin.locked')}</p>
      )}
      {status.pinSet && !status.unlocked ? (
        <PinEntry
          admin={admin}
          id="unlock-pin"
          label={t('settings.admin.pin')}
          submitLabel={t('settings.admin.unlock')}
          onPin={async (pin) => {
            admin.set(await api.unlockAdmin(pin));
            setNotice(null);
          }}
        />
      ) : (
        <div className="row">
          {status.pinSet ? (
            <button type="button" onClick={() => void lock()}>
              {t('settings.admin.lock')}
            </button>
          ) : null}
          <button type="button" onClick={() => setChanging((value) => !value)} aria-expanded={changing}>
            {status.pinSet ? t('settings.admin.changePin') : t('settings.admin.setPin')}
          </button>
        </div>
      )}
      {changing && status.unlocked ? (
        <ChangePin
          api={api}
          admin={admin}
          onDone={(text) => {
            setChanging(false);
            setNotice(text);
          }}
        />
      ) : null}
      <Notice text={notice} testId="admin-notice" />
    </div>
  );
}

function ChangePin({ api, admin, onDone }: { api: StationApi; admin: AdminState; onDone(text: string): void }) {
  const t = useT();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const pinSet = admin.status?.pinSet === true;
  const nextProblem = next !== '' && !PIN_FORMAT.test(next) ? t('settings.pin.format') : null;
  const againProblem = again !== '' && again !== next ? t('settings.pin.mismatch') : null;
  const currentProblem = usePinProblem(admin, failure);
  const ready = PIN_FORMAT.test(next) && again === next && (!pinSet || current !== '') && (admin.status?.retryAfterSeconds ?? 0) === 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      admin.set(await api.setAdminPin(pinSet ? current : '', next));
      onDone(t(pinSet ? 'settings.admin.pinChanged' : 'settings.admin.pinSet'));
    } catch (error) {
      setFailure(error);
      setCurrent('');
      await admin.refresh();
    }
  };
  const code = failure === null ? null : describeError(failure).code;

  return (
    <form className="change-pin" onSubmit={(event) => void submit(event)} aria-label={t(pinSet ? 'settings.admin.changePin' : 'settings.admin.setPin')}>
      {pinSet ? (
        <Field id="current-pin" label={t('settings.admin.currentPin')} error={currentProblem} live>
          {(control) => <PinInput control={control} value={current} onChange={setCurrent} />}
        </Field>
      ) : null}
      <Field id="new-pin" label={t('settings.admin.newPin')} hint={t('settings.pin.format')} error={nextProblem} live>
        {(control) => <PinInput control={control} value={next} onChange={setNext} />}
      </Field>
      <Field id="repeat-pin" label={t('settings.admin.repeatPin')} error={againProblem} live>
        {(control) => <PinInput control={control} value={again} onChange={setAgain} />}
      </Field>
      <button type="submit" className="primary" disabled={!ready}>
        {t(pinSet ? 'settings.admin.savePin' : 'settings.admin.setPin')}
      </button>
      {code !== null && currentProblem === null ? <ErrorText error={failure} /> : null}
    </form>
  );
}
