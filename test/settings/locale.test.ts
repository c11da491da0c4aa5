import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { createStation } from '../../src/engine/station.js';
import { matchUiLocale } from '../../src/shared/locale.js';

describe('UI language', () => {
  it('matches the override first, then the OS languages by language, then English', () => {
    expect(matchUiLocale('', ['de-AT', 'en-US'])).toBe('de');
    expect(matchUiLocale('', ['fr-FR', 'de_CH'])).toBe('de');
    expect(matchUiLocale('', ['fr-FR', 'ja'])).toBe('en');
    expect(matchUiLocale('', [])).toBe('en');
    expect(matchUiLocale('en', ['de-DE'])).toBe('en');
    expect(matchUiLocale('de', ['en-GB'])).toBe('de');
  });

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-locale-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('the engine reports the OS language the shell passed, and the language setting overrides it', async () => {
    const station = await createStation({ dataDir: path.join(work, 'data'), keyProvider: new HeadlessKeyProvider({ envKey: randomBytes(32).toString('base64') }), env: {}, systemLocales: ['de-DE', 'en-US'] });
    try {
      expect(await station.info()).toMatchObject({ locale: 'de', systemLocales: ['de-DE', 'en-US'] });
      await station.setSetting('language', 'en');
      expect((await station.info()).locale).toBe('en');
      await expect(station.setSetting('language', 'fr')).rejects.toMatchObject({ code: 'USAGE' });
    } finally {
      await station.close();
    }
  });
});
