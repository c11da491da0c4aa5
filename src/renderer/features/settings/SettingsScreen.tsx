import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { DoctorReport, StationApi } from '../../../shared/contract.js';
import { matchUiLocale } from '../../../shared/locale.js';
import type { SettingView, StationInfo } from '../../../shared/schemas.js';
import { ErrorText } from '../../components/ErrorText.js';
import { CheckField, Field, Notice } from '../../components/Field.js';
import { useAdminStatus } from '../../hooks/useAdminStatus.js';
import { errorMessageId } from '../../i18n/errors.js';
import { useLocaleControl } from '../../i18n/I18nRoot.js';
import { useT } from '../../i18n/useT.js';
import { describeError } from '../../station.js';
import { forgetRemembered, readRemembered } from '../capture/useCamera.js';
import { AdminPanel } from './AdminPanel.js';
import { DoctorPanel } from './DoctorPanel.js';
import { changesOf, draftFrom, problemsOf, FIELD_RULES, secretIsSet, type Draft, type FieldName, type FieldProblem } from './settingsForm.js';

/** Label and help line of each setting (literal catalog ids, so the catalog test can see them). */
const TEXT: Record<FieldName, { label: string; help: string }> = {
  testService: { label: 'settings.field.testService', help: 'settings.field.testService.help' },
  endpoint: { label: 'settings.field.endpoint', help: 'settings.field.endpoint.help' },
  clientId: { label: 'settings.field.clientId', help: 'settings.field.clientId.help' },
  key: { label: 'settings.field.key', help: 'settings.field.key.help' },
  caFile: { label: 'settings.field.caFile', help: 'settings.field.caFile.help' },
  imagesPerEnrollment: { label: 'settings.field.imagesPerEnrollment', help: 'settings.field.imagesPerEnrollment.help' },
  idleResetSeconds: { label: 'settings.field.idleResetSeconds', help: 'settings.field.idleResetSeconds.help' },
  camera: { label: 'settings.field.camera', help: 'settings.field.camera.help' },
  blockVirtualCameras: { label: 'settings.field.blockVirtualCameras', help: 'settings.field.blockVirtualCameras.help' },
  qualityProfile: { label: 'settings.field.qualityProfile', help: 'settings.field.qualityProfile.help' },
  matchThreshold: { label: 'settings.field.matchThreshold', help: 'settings.field.matchThreshold.help' },
  enforceLiveness: { label: 'settings.field.enforceLiveness', help: 'settings.field.enforceLiveness.help' },
  enforceEyesOpen: { label: 'settings.field.enforceEyesOpen', help: 'settings.field.enforceEyesOpen.help' },
  language: { label: 'settings.field.language', help: 'settings.field.language.help' },
  kioskMode: { label: 'settings.field.kioskMode', help: 'settings.field.kioskMode.help' },
  embeddingRetentionDays: { label: 'settings.field.embeddingRetentionDays', help: 'settings.field.embeddingRetentionDays.help' },
  unsyncedRetentionDays: { label: 'settings.field.unsyncedRetentionDays', help: 'settings.field.unsyncedRetentionDays.help' },
  syncConcurrency: { label: 'settings.field.syncConcurrency', help: 'settings.field.syncConcurrency.help' },
};

const CHOICE_TEXT: Record<string, string> = {
  'qualityProfile:enrollment': 'settings.choice.profile.enrollment',
  'qualityProfile:icao': 'settings.choice.profile.icao',
  'language:en': 'settings.choice.language.en',
  'language:de': 'settings.choice.language.de',
};

const GROUPS: Array<{ title: string; fields: FieldName[] }> = [
  { title: 'settings.group.service', fields: ['endpoint', 'clientId', 'key', 'caFile'] },
  { title: 'settings.group.capture', fields: ['imagesPerEnrollment', 'idleResetSeconds', 'camera', 'blockVirtualCameras'] },
  { title: 'settings.group.quality', fields: ['qualityProfile', 'matchThreshold', 'enforceLiveness', 'enforceEyesOpen'] },
  { title: 'settings.group.station', fields: ['language', 'kioskMode', 'embeddingRetentionDays', 'unsyncedRetentionDays', 'syncConcurrency'] },
];

const ENDPOINT_EXAMPLE = 'https://face.<location>.bioid.com';

type SaveResult = { saved: number; failed: number; nothing: boolean };

/**
 * Every setting a site needs, behind the administrator PIN: while the session is locked the values are shown
 * read-only with "Unlock with PIN" above them. Each value is checked as it is typed; Save sends what changed,
 * one setting at a time, and reports what the engine accepted (a refusal stays beside its field, in words).
 * The BWS key is write-only: the box is always empty and says whether a key is set.
 */
export function SettingsScreen({ api }: { api: StationApi }) {
  const t = useT();
  const admin = useAdminStatus(api);
  const localeControl = useLocaleControl();
  const [views, setViews] = useState<SettingView[] | null>(null);
  const [info, setInfo] = useState<StationInfo | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [refused, setRefused] = useState<Partial<Record<FieldName, unknown>>>({});
  const [result, setResult] = useState<SaveResult | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [report, setReport] = useState<DoctorReport | null>(null);
  const [remembered, setRemembered] = useState(() => readRemembered());
  const [cameras, setCameras] = useState<string[]>([]);

  const load = useCallback(async () => {
    const [fresh, about] = await Promise.all([api.getSettings(), api.info()]);
    setViews(fresh);
    setInfo(about);
    return fresh;
  }, [api]);

  useEffect(() => {
    load().then((fresh) => setDraft(draftFrom(fresh)), setProblem);
  }, [load]);

  // Camera labels for the list (the page knows them once the capture screen has had the camera).
  useEffect(() => {
    void navigator.mediaDevices
      ?.enumerateDevices()
      .then((devices) => setCameras(devices.filter((device) => device.kind === 'videoinput' && device.label !== '').map((device) => device.label)), () => undefined);
  }, []);

  const editable = admin.status?.unlocked === true;
  const problems = useMemo<Partial<Record<FieldName, FieldProblem>>>(() => (draft ? problemsOf(draft) : {}), [draft]);
  const changes = views && draft ? changesOf(views, draft) : [];
  const invalid = Object.keys(problems).length > 0;

  const edit = (name: FieldName, value: string | boolean) => {
    setDraft((current) => (current ? { ...current, [name]: value } : current));
    setRefused(({ [name]: _gone, ...rest }) => rest);
    setResult(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!views || !draft || invalid) return;
    setSaving(true);
    setProblem(null);
    const failures: Partial<Record<FieldName, unknown>> = {};
    const sent: Array<{ name: FieldName; value: unknown }> = [];
    for (const change of changes) {
      try {
        await api.setSetting(change.name, change.value);
        sent.push(change);
      } catch (error) {
        failures[change.name] = error;
      }
    }
    try {
      // What counts as saved is what the engine now reports, not what was sent.
      const fresh = await load();
      const stored = sent.filter(({ name, value }) => (FIELD_RULES[name].kind === 'secret' ? secretIsSet(fresh, name) : fresh.find((view) => view.name === name)?.value === value));
      // Refused fields keep what was typed, so it can be corrected; the rest show the engine's values.
      const next = draftFrom(fresh);
      for (const name of Object.keys(failures) as FieldName[]) next[name] = draft[name];
      setDraft(next);
      setRefused(failures);
      setResult({ saved: stored.length, failed: Object.keys(failures).length + sent.length - stored.length, nothing: changes.length === 0 });
      if (stored.some(({ name }) => name === 'language')) await localeControl.refresh();
    } catch (error) {
      setProblem(error);
    } finally {
      setSaving(false);
      // A refusal for want of the PIN means the session ended meanwhile: show it.
      if (Object.values(failures).some((error) => describeError(error).code === 'PIN_REQUIRED')) await admin.refresh();
    }
  };

  const view = (name: FieldName | 'insecure') => views?.find((entry) => entry.name === name);
  const fieldError = (name: FieldName): string | null => {
    const typed = problems[name];
    if (typed) return t(typed.id, 'values' in typed ? typed.values : undefined);
    return refused[name] !== undefined ? t(errorMessageId(describeError(refused[name]).code)) : null;
  };
  const hintOf = (name: FieldName) => (view(name)?.locked ? t('settings.lockedBySite') : t(TEXT[name].help, { example: ENDPOINT_EXAMPLE }));

  const renderField = (name: FieldName): ReactNode => {
    if (!draft) return null;
    const rule = FIELD_RULES[name];
    const disabled = view(name)?.locked === true;
    if (rule.kind === 'boolean') {
      return <CheckField key={name} id={`setting-${name}`} label={t(TEXT[name].label)} hint={hintOf(name)} checked={draft[name] === true} disabled={disabled} onChange={(checked) => edit(name, checked)} />;
    }
    const text = String(draft[name]);
    return (
      <Field key={name} id={`setting-${name}`} label={t(TEXT[name].label)} hint={hintOf(name)} error={fieldError(name)} live>
        {(control) =>
          rule.kind === 'choice' ? (
            <select {...control} value={text} disabled={disabled} onChange={(event) => edit(name, event.target.value)}>
              {rule.choices.map((choice) => (
                <option key={choice} value={choice}>
                  {choice === '' ? t('settings.choice.language.system', { language: t(CHOICE_TEXT[`language:${matchUiLocale('', info?.systemLocales ?? [])}`] ?? 'settings.choice.language.en') }) : t(CHOICE_TEXT[`${name}:${choice}`] ?? choice)}
                </option>
              ))}
            </select>
          ) : name === 'camera' ? (
            <select {...control} value={text} disabled={disabled} onChange={(event) => edit(name, event.target.value)}>
              <option value="">{t('settings.choice.camera.first')}</option>
              {[...new Set([...cameras, ...(text ? [text] : [])])].map((label) => (
                <option key={label} value={label}>
                  {cameras.includes(label) ? label : t('settings.choice.camera.absent', { label })}
                </option>
              ))}
            </select>
          ) : (
            <input
              {...control}
              value={text}
              disabled={disabled}
              onChange={(event) => edit(name, event.target.value)}
              autoComplete="off"
              spellCheck={false}
              type={rule.kind === 'secret' ? 'password' : rule.kind === 'url' ? 'url' : 'text'}
              inputMode={rule.kind === 'integer' ? 'numeric' : rule.kind === 'decimal' ? 'decimal' : undefined}
              placeholder={rule.kind === 'secret' ? t(secretIsSet(views ?? [], name) ? 'settings.key.set' : 'settings.key.notSet') : rule.kind === 'url' ? ENDPOINT_EXAMPLE : undefined}
            />
          )
        }
      </Field>
    );
  };

  const insecure = view('insecure')?.value === true;
  const testService = draft?.testService === true;

  return (
    <section aria-labelledby="settings-title" className="screen settings-screen">
      <div className="screen-head">
        <h2 id="settings-title">{t('settings.title')}</h2>
        <div className="row toolbar">
          <button type="submit" form="settings-form" className="primary" disabled={!editable || saving || invalid || !draft}>
            {saving ? t('settings.saving') : t('settings.save')}
          </button>
        </div>
      </div>
      <AdminPanel api={api} admin={admin} />
      <Notice
        testId="settings-result"
        tone={result && result.failed > 0 ? 'warn' : 'ok'}
        text={result ? (result.nothing ? t('settings.result.nothing') : result.failed > 0 ? t('settings.result.partly', { saved: result.saved, failed: result.failed }) : t('settings.result.saved', { count: result.saved })) : null}
      />
      {problem ? <ErrorText error={problem} /> : null}
      {draft ? (
        <form id="settings-form" className="settings" onSubmit={(event) => void save(event)} aria-describedby={editable ? undefined : 'settings-readonly'}>
          <fieldset disabled={!editable} className="settings-grid">
            <fieldset className="group">
              <legend>{t('settings.field.testService')}</legend>
              <label className="choice">
                <input type="radio" name="target" checked={!testService} disabled={view('testService')?.locked} onChange={() => edit('testService', false)} />
                {t('settings.target.bws')}
              </label>
              <label className="choice">
                <input type="radio" name="target" checked={testService} disabled={view('testService')?.locked} onChange={() => edit('testService', true)} />
                {t('settings.target.test')}
              </label>
              <p className="field-help">{t('settings.field.testService.help')}</p>
            </fieldset>
            {GROUPS.map((group) => (
              <fieldset key={group.title} className="group">
                <legend>{t(group.title)}</legend>
                {group.fields.map(renderField)}
                {group.title === 'settings.group.service' ? <p className="field-help">{t(insecure ? 'settings.insecure.on' : 'settings.insecure.off')}</p> : null}
                {group.title === 'settings.group.capture' && remembered ? (
                  <p className="field-help">
                    {t('settings.camera.remembered', { label: remembered.label })}{' '}
                    <button
                      type="button"
                      className="link"
                      onClick={() => {
                        forgetRemembered();
                        setRemembered(null);
                      }}
                    >
                      {t('settings.camera.forget')}
                    </button>
                  </p>
                ) : null}
              </fieldset>
            ))}
          </fieldset>
        </form>
      ) : null}
      {info ? <p className="muted small">{t('settings.about', { version: info.version, dataDir: info.dataDir, keyMode: info.keyMode ?? t('settings.keyMode.none') })}</p> : null}
      <DoctorPanel api={api} report={report} onReport={setReport} onError={setProblem} />
    </section>
  );
}
