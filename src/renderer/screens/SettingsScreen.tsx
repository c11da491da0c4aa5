import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DoctorReport, StationApi } from '../../shared/contract.js';
import type { SettingView, StationInfo } from '../../shared/schemas.js';
import { describeError } from '../station.js';

/** Connection settings (the key is write-only: it can be replaced, never shown) and the doctor report. */
export function SettingsScreen({ api }: { api: StationApi }) {
  const [settings, setSettings] = useState<SettingView[] | null>(null);
  const [info, setInfo] = useState<StationInfo | null>(null);
  const [endpoint, setEndpoint] = useState('');
  const [clientId, setClientId] = useState('');
  const [key, setKey] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
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
      setMessage({ kind: 'error', text: describeError(error).message });
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
      setMessage({ kind: 'ok', text: 'Settings saved.' });
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error).message });
    }
  };

  const runDoctor = async () => {
    setChecking(true);
    try {
      setReport(await api.doctor());
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error).message });
    } finally {
      setChecking(false);
    }
  };

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form className="settings" onSubmit={(event) => void save(event)}>
        <label htmlFor="endpoint">BWS endpoint</label>
        <input id="endpoint" type="url" placeholder="https://face.<location>.bioid.com" value={endpoint} onChange={(event) => setEndpoint(event.target.value)} autoComplete="off" />
        <label htmlFor="client-id">Client ID</label>
        <input id="client-id" value={clientId} onChange={(event) => setClientId(event.target.value)} autoComplete="off" />
        <label htmlFor="client-key">Client key</label>
        <input
          id="client-key"
          type="password"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          autoComplete="off"
          placeholder={keyIsSet ? 'A key is set; type a new one to replace it' : 'Not set'}
          aria-describedby="client-key-help"
        />
        <p id="client-key-help" className="field-help">
          The key is stored encrypted and never shown again.
        </p>
        <button type="submit" className="primary">
          Save
        </button>
        {message ? (
          <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind === 'error' ? 'error' : 'success'}>
            {message.text}
          </p>
        ) : null}
      </form>
      {info ? (
        <p className="muted">
          Version {info.version} · data folder {info.dataDir} · key mode {info.keyMode ?? 'not created yet'}
        </p>
      ) : null}
      <h3 id="doctor-title">Station check</h3>
      <button type="button" onClick={() => void runDoctor()} disabled={checking}>
        {checking ? 'Checking…' : 'Run station check'}
      </button>
      {report ? (
        <table className="doctor" aria-labelledby="doctor-title">
          <thead>
            <tr>
              <th scope="col">Part</th>
              <th scope="col">Status</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {report.checks.map((check) => (
              <tr key={check.name}>
                <td>{check.name}</td>
                <td className={check.ok ? 'ok' : 'bad'}>{check.ok ? 'OK' : 'Problem'}</td>
                <td>{check.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
