import { describe, expect, it } from 'vitest';
import { changesOf, checkField, draftFrom, problemsOf } from '../../src/renderer/features/settings/settingsForm.js';
import { waitParts } from '../../src/renderer/i18n/time.js';
import type { SettingView } from '../../src/shared/schemas.js';

/** The Settings form's rules without a browser: typed text to values, problems in words, what a save sends. */
const view = (name: string, value: unknown, extra: Partial<SettingView> = {}): SettingView => ({ name, value, secret: name === 'key', isSet: value !== '' && value !== '(not set)', help: '', ...extra });
const views: SettingView[] = [
  view('endpoint', ''),
  view('clientId', 'station-1'),
  view('key', '(set)'),
  view('imagesPerEnrollment', 3),
  view('matchThreshold', 0.4),
  view('idleResetSeconds', 120),
  view('embeddingRetentionDays', 30),
  view('unsyncedRetentionDays', 0),
  view('syncConcurrency', 2),
  view('kioskMode', false),
  view('language', ''),
  view('caFile', '/site/ca.pem', { locked: true, source: 'site-locked' }),
];

describe('settings form', () => {
  it('turns typed text into the setting’s type, or names the problem', () => {
    expect(checkField('imagesPerEnrollment', ' 4 ')).toEqual({ ok: true, value: 4 });
    expect(checkField('imagesPerEnrollment', '0')).toEqual({ ok: false, problem: { id: 'settings.invalid.range', values: { min: 1, max: 10 } } });
    expect(checkField('imagesPerEnrollment', '2.5')).toEqual({ ok: false, problem: { id: 'settings.invalid.wholeNumber' } });
    expect(checkField('idleResetSeconds', '')).toEqual({ ok: false, problem: { id: 'settings.invalid.wholeNumber' } });
    expect(checkField('matchThreshold', '0,55')).toEqual({ ok: true, value: 0.55 });
    expect(checkField('matchThreshold', '1.5')).toMatchObject({ ok: false, problem: { id: 'settings.invalid.range' } });
    expect(checkField('endpoint', 'https://face.example.test:443')).toEqual({ ok: true, value: 'https://face.example.test:443' });
    expect(checkField('endpoint', 'http://127.0.0.1:9')).toEqual({ ok: true, value: 'http://127.0.0.1:9' });
    expect(checkField('endpoint', '')).toEqual({ ok: true, value: '' });
    for (const bad of ['face.example.test', 'https://face.example.test/enroll', 'ftp://face.example.test', 'https://host:123456']) expect(checkField('endpoint', bad), bad).toEqual({ ok: false, problem: { id: 'settings.invalid.url' } });
    expect(checkField('clientId', 'x'.repeat(257))).toEqual({ ok: false, problem: { id: 'settings.invalid.tooLong', values: { max: 256 } } });
    expect(checkField('kioskMode', true)).toEqual({ ok: true, value: true });
  });

  it('fills the form from the engine with the key box empty, and sends only what changed', () => {
    const draft = draftFrom(views);
    expect(draft).toMatchObject({ clientId: 'station-1', key: '', imagesPerEnrollment: '3', kioskMode: false, language: '' });
    expect(changesOf(views, draft)).toEqual([]);
    expect(problemsOf(draft)).toEqual({});
    const edited = { ...draft, clientId: ' station-2 ', key: 'bmV3LWtleQ==', imagesPerEnrollment: '5', kioskMode: true, caFile: '/elsewhere.pem', matchThreshold: 'high' };
    // The site-locked CA file is never sent; a value that is not valid is not sent either.
    expect(changesOf(views, edited)).toEqual([
      { name: 'clientId', value: 'station-2' },
      { name: 'key', value: 'bmV3LWtleQ==' },
      { name: 'imagesPerEnrollment', value: 5 },
      { name: 'kioskMode', value: true },
    ]);
    expect(problemsOf(edited)).toEqual({ matchThreshold: { id: 'settings.invalid.number' } });
  });

  it('puts a lockout wait in seconds, and in minutes from two minutes on', () => {
    expect(waitParts(30)).toEqual({ value: 30, unit: 'second' });
    expect(waitParts(119)).toEqual({ value: 119, unit: 'second' });
    expect(waitParts(121)).toEqual({ value: 3, unit: 'minute' });
    expect(waitParts(3600)).toEqual({ value: 60, unit: 'minute' });
  });
});
