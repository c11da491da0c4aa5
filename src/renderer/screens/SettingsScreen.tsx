import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DoctorReport, StationApi } from '../../shared/contract.js';
import type { SettingView, StationInfo } from '../../shared/schemas.js';
import { ErrorText } from '../components/ErrorText.js';
import { useT } from '../i18n/useT.js';

/** Connection settings (the key is write-only: it can be replaced, never shown) and the doctor report. */
export function SettingsScreen({ api }: { api: StationApi }) {
  const t = useT();
  const [settings, setSettings] = useState<SettingView[] | null>(null);
  const [info, setInfo] = useState<StationInfo | null>(null);
  const [endpoint, setEndpoint] = useState('');
  const [clientId, setClientId] = useState('');
  const [key, setKey] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok'; text: string } | { kind: 'error'; error: unknown } | null>(null);
  const [report, setReport] = useState<DoctorReport | null>(null);
  const [checking, setChecking] = useState(false);

  const load = useCallback(async () => {
    try {
      const [views, about] = await Promise.all([api.getSettings(), api.info()]);
      setSettings(views);
      setInfo(about);
      const text = (name: string) => {
        const value = views.find((view) => view.name === name)?.value;
        return typeof value === 'string' ? value : '';
      };
      setEndpoint(text('endpoint'));
      setClientId(text('clientId'));
    } catch (error) {
      setMessage({ kind: 'error', error });
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  const keyIsSet = settings?.find((view) => view.name === 'key')?.isSet ?? false;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api.setSetting('endpoint', endpoint.trim());
      await api.setSetting('clientId', clientId.trim());
      if (key !== '') await api.setSetting('key', key);
      setKey('');
      // Reload first, so "saved" appears together with what was stored (e.g. "a key is set").
      await load();
      setMessage({ kind: 'ok', text: t('settings.saved') });
    } catch (error) {
      setMessage({ kind: 'error', error });
    }
  };

  const runDoctor = async () => {
    setChecking(true);
    try {
      setReport(await api.doctor());
    } catch (error) {
      setMessage({ kind: 'error', error });
    } finally {
      setChecking(false);
    }
  };

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">{t('settings.title')}</h2>
      <form className="settings" onSubmit={(event) => void save(event)}>
        <label htmlFor="endpoint">{t('settings.endpoint')}</label>
        <input id="endpoint" type="url" placeholder="https://face.<location>.bioid.com" value={endpoint} onChange={(event) => setEndpoint(event.target.value)} autoComplete="off" />
        <label htmlFor="client-id">{t('settings.clientId')}</label>
        <input id="client-id" value={clientId} onChange={(event) => setClientId(event.target.value)} autoComplete="off" />
        <label htmlFor="client-key">{t('settings.key')}</label>
        <input
          id="client-key"
          type="password"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          autoComplete="off"
          placeholder={keyIsSet ? t('settings.key.set') : t('settings.key.notSet')}
          aria-describedby="client-key-help"
        />
        <p id="client-key-help" className="field-help">
          {t('settings.key.help')}
        </p>
        <button type="submit" className="primary">
          {t('settings.save')}
        </button>
        {message?.kind === 'error' ? <ErrorText error={message.error} /> : null}
        {message?.kind === 'ok' ? (
          <p role="status" className="success">
            {message.text}
          </p>
        ) : null}
      </form>
      {info ? (
        <p className="muted">
          {t('settings.about', { version: info.version, dataDir: info.dataDir, keyMode: info.keyMode ?? t('settings.keyMode.none') })}
        </p>
      ) : null}
      <h3 id="doctor-title">{t('settings.doctor.title')}</h3>
      <button type="button" onClick={() => void runDoctor()} disabled={checking}>
        {checking ? t('settings.doctor.running') : t('settings.doctor.run')}
      </button>
      {report ? (
        <table className="doctor" aria-labelledby="doctor-title">
          <thead>
            <tr>
              <th scope="col">{t('settings.doctor.part')}</th>
              <th scope="col">{t('settings.doctor.status')}</th>
              <th scope="col">{t('settings.doctor.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {report.checks.map((check) => (
              <tr key={check.name}>
                <td>{check.name}</td>
                <td className={check.ok ? 'ok' : 'bad'}>{check.ok ? t('settings.doctor.ok') : t('settings.doctor.problem')}</td>
                <td>{check.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
