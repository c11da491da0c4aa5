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
    const problem = (text: string) => {
      const checked = checkField('endpoint', text);
      return checked.ok ? null : checked.problem.id;
    };
    expect({ noScheme: problem('face.example.test'), ftp: problem('ftp://face.example.test'), path: problem('https://face.example.test/enroll'), port: problem('https://host:123456') })
      .toEqual({ noScheme: 'settings.invalid.url', ftp: 'settings.invalid.url', path: 'settings.invalid.urlPath', port: 'settings.invalid.urlPort' });
  });

  it('takes IPv6 addresses in brackets as endpoints, and refuses what cannot be one with the reason', () => {
    for (const good of ['https://[::1]:443', 'https://[2001:db8::1]:8443', 'http://[::1]:5050', 'https://[2001:DB8:0:0:0:0:0:1]', 'https://[::ffff:192.0.2.1]:443', ' https://[fd00::2]:50051/ ']) {
      expect(checkField('endpoint', good), good).toEqual({ ok: true, value: good.trim() });
    }
    const problem = (text: string) => {
      const checked = checkField('endpoint', text);
      return checked.ok ? 'accepted' : checked.problem.id;
    };
    const refused = {
      // The brackets belong to the URL; without a scheme it is not an address.
      '[::1]:443': 'settings.invalid.url',
      '[2001:db8::1]:8443': 'settings.invalid.url',
      // Without brackets the address's colons cannot be told from the port's.
      'https://::1:443': 'settings.invalid.urlHost',
      'https://2001:db8::1': 'settings.invalid.urlHost',
      'https://[::1': 'settings.invalid.urlHost',
      'https://[2001:db8::zz]:443': 'settings.invalid.urlHost',
      'https://[2001:db8:::1]:443': 'settings.invalid.urlHost',
      'https://[]:443': 'settings.invalid.urlHost',
      'https://[::1]x:443': 'settings.invalid.urlHost',
      'https://face..example.test': 'settings.invalid.urlHost',
      'https://-face.example.test': 'settings.invalid.urlHost',
      'https://:443': 'settings.invalid.urlHost',
      'https://[::1]:0': 'settings.invalid.urlPort',
      'https://[::1]:65536': 'settings.invalid.urlPort',
      'https://[::1]:': 'settings.invalid.urlPort',
      'https://[::1]:44a': 'settings.invalid.urlPort',
      'https://[::1]:443/bws': 'settings.invalid.urlPath',
      'https://[::1]:443?x=1': 'settings.invalid.urlPath',
      'https://admin:secret@[::1]:443': 'settings.invalid.urlCredentials',
    };
    expect(Object.fromEntries(Object.keys(refused).map((text) => [text, problem(text)]))).toEqual(refused);
  });

  it('checks the other kinds of text as typed', () => {
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
