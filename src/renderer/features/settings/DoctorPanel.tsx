import { useState } from 'react';
import type { DoctorReport, StationApi } from '../../../shared/contract.js';
import { useT } from '../../i18n/useT.js';

/** The station check (`station doctor`) on demand, as a table of parts. */
export function DoctorPanel({ api, report, onReport, onError }: { api: StationApi; report: DoctorReport | null; onReport(report: DoctorReport): void; onError(error: unknown): void }) {
  const t = useT();
  const [checking, setChecking] = useState(false);

  const run = async () => {
    setChecking(true);
    try {
      onReport(await api.doctor());
    } catch (error) {
      onError(error);
    } finally {
      setChecking(false);
    }
  };

  return (
    <div className="doctor-panel">
      <h3 id="doctor-title">{t('settings.doctor.title')}</h3>
      <button type="button" onClick={() => void run()} disabled={checking}>
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
    </div>
  );
}
