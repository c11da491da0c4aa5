import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StationApi } from '../../src/shared/contract.js';
import { openCaptureSession, until, type CaptureSession } from './capture-harness.js';

/**
 * The Settings screen in real Chromium against the real engine: every value typed is checked as it is typed
 * (the problem in words), Save sends it through the bridge to the engine's encrypted settings, the engine's
 * answer is what the screen reports, and after a reload the screen shows what the engine holds. The BWS key
 * is write-only. The language setting switches the UI. `insecure` is refused even to a renderer that asks.
 */
let session: CaptureSession;
const KEY = 'a2V5LWZvci10aGUtc2V0dGluZ3MtZTJlLXRlc3Q=';

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'pattern', viewport: { width: 1100, height: 900 } });
  await session.page.getByRole('tab', { name: 'Settings' }).click();
  await session.page.getByTestId('admin-panel').waitFor();
}, 240_000);
afterAll(async () => {
  await session?.close();
});

const value = async (name: string) => (await session.station.getSettings()).find((view) => view.name === name)?.value;
const help = (id: string) => session.page.locator(`#setting-${id}-help`);

describe('settings round trip', { timeout: 240_000 }, () => {
  it('checks values as they are typed, in words, and keeps Save off while one is wrong', async () => {
    const { page } = session;
    // No PIN yet (first setup): the screen says so, and the settings are open.
    expect(await page.getByTestId('admin-panel').textContent()).toContain('No administrator PIN is set');
    const save = page.getByRole('button', { name: 'Save', exact: true });
    await page.getByLabel('BWS endpoint').fill('face.bioid.com/enroll');
    expect(await help('endpoint').textContent()).toBe('Not an address: start with https://, as in https://host:port or https://[2001:db8::1]:8443 (an IPv6 address in brackets).');
    expect(await page.getByLabel('BWS endpoint').getAttribute('aria-invalid')).toBe('true');
    // An IPv6 address is written in brackets; without them its colons cannot be told from the port's.
    await page.getByLabel('BWS endpoint').fill('https://2001:db8::1:8443');
    expect(await help('endpoint').textContent()).toBe('Not a host: use a name, an IPv4 address or an IPv6 address in brackets, such as https://[2001:db8::1]:8443.');
    await page.getByLabel('BWS endpoint').fill('https://[2001:db8::1]:84430');
    expect(await help('endpoint').textContent()).toBe('The port must be a number from 1 to 65535.');
    expect(await save.isDisabled()).toBe(true);
    expect(await save.isDisabled()).toBe(true);
    await page.getByLabel('Photos per enrollment').fill('12');
    expect(await help('imagesPerEnrollment').textContent()).toBe('Must be from 1 to 10.');
    await page.getByLabel('Reset after inactivity (seconds)').fill('2 min');
    expect(await help('idleResetSeconds').textContent()).toBe('Digits only: a whole number.');
    await page.getByLabel('Same-person threshold').fill('high');
    expect(await help('matchThreshold').textContent()).toBe('A number, such as 0.4.');
    // Nothing reached the engine.
    expect(await value('endpoint')).toBe('');
    expect(await value('imagesPerEnrollment')).toBe(3);
  });

  it('saves every kind of setting through the engine and reports what the engine stored', async () => {
    const { page, station } = session;
    await page.getByLabel('BWS endpoint').fill('https://[2001:db8::1]:8443');
    expect(await page.getByLabel('BWS endpoint').getAttribute('aria-invalid')).toBe('false');
    await page.getByLabel('Client ID').fill(' station-7 ');
    await page.getByLabel('Client key').fill(KEY);
    await page.getByLabel('CA certificate file').fill('/etc/ssl/site-ca.pem');
    await page.getByLabel('Photos per enrollment').fill('4');
    await page.getByLabel('Reset after inactivity (seconds)').fill('90');
    await page.getByLabel('Block virtual cameras').check();
    await page.getByLabel('Photo check profile').selectOption('icao');
    // A German-style decimal comma is understood.
    await page.getByLabel('Same-person threshold').fill('0,55');
    await page.getByLabel('Refuse photos with closed eyes').check();
    await page.getByLabel('Kiosk mode').check();
    await page.getByLabel('Keep face data of sent enrollments (days)').fill('14');
    await page.getByLabel('Parallel sends').fill('3');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('settings-result').getByText('Settings saved. 13 settings changed.').waitFor();

    const stored = Object.fromEntries((await station.getSettings()).map((view) => [view.name, view.value]));
    expect(stored).toMatchObject({
      endpoint: 'https://[2001:db8::1]:8443',
      clientId: 'station-7',
      key: '(set)',
      caFile: '/etc/ssl/site-ca.pem',
      imagesPerEnrollment: 4,
      idleResetSeconds: 90,
      blockVirtualCameras: true,
      qualityProfile: 'icao',
      matchThreshold: 0.55,
      enforceEyesOpen: true,
      enforceLiveness: false,
      kioskMode: true,
      embeddingRetentionDays: 14,
      syncConcurrency: 3,
      testService: false,
    });
    // Write-only: the key is in the engine (the store holds it) but never comes back to the page.
    expect(station.store.settings.get('key')).toBe(KEY);
    expect(JSON.stringify(await station.getSettings())).not.toContain(KEY);
    expect(await page.getByLabel('Client key').inputValue()).toBe('');
    expect(await page.getByLabel('Client key').getAttribute('placeholder')).toBe('A key is set; type a new one to replace it');
    const audit = station.store.audit.recent(200).map((entry) => entry.event);
    expect(audit.filter((event) => event === 'setting_changed')).toHaveLength(13);
    expect(JSON.stringify(station.store.audit.recent(200))).not.toContain(KEY);

    // Saving again without a change says so; nothing is sent.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('settings-result').getByText('Nothing to save: no setting was changed.').waitFor();
    expect(station.store.audit.recent(200).filter((entry) => entry.event === 'setting_changed')).toHaveLength(13);
  });

  it('shows what the engine holds after a reload (the key box stays empty)', async () => {
    const { page } = session;
    await page.reload();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('BWS endpoint').waitFor();
    expect(await page.getByLabel('BWS endpoint').inputValue()).toBe('https://[2001:db8::1]:8443');
    expect(await page.getByLabel('Client ID').inputValue()).toBe('station-7');
    expect(await page.getByLabel('Client key').inputValue()).toBe('');
    expect(await page.getByLabel('Photos per enrollment').inputValue()).toBe('4');
    expect(await page.getByLabel('Same-person threshold').inputValue()).toBe('0.55');
    expect(await page.getByLabel('Photo check profile').inputValue()).toBe('icao');
    expect(await page.getByLabel('Kiosk mode').isChecked()).toBe(true);
    expect(await page.getByLabel('Refuse photos that may not be live').isChecked()).toBe(false);
    // The capture screen works with the saved number of photos.
    await page.getByRole('tab', { name: 'Capture' }).click();
    await page.getByLabel('Class ID').fill('5');
    expect(await page.getByTestId('capture-progress').textContent()).not.toBe('Enter the class ID to start automatic capture.');
  });

  it('switches the UI language from the setting, and back to the system language', async () => {
    const { page, station } = session;
    await page.getByRole('tab', { name: 'Settings' }).click();
    const language = page.getByLabel('Language', { exact: true });
    expect(await language.locator('option').allTextContents()).toEqual(['Language of the system (English)', 'English', 'Deutsch']);
    await language.selectOption('de');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('tab', { name: 'Einstellungen' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    expect(await value('language')).toBe('de');
    await page.getByTestId('settings-result').getByText('Einstellungen gespeichert. 1 Einstellung geändert.').waitFor();
    await page.getByLabel('Sprache', { exact: true }).selectOption('');
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await page.getByRole('tab', { name: 'Settings' }).waitFor();
    expect(await value('language')).toBe('');
    expect(await station.info()).toMatchObject({ locale: 'en' });
  });

  it('the camera named in Settings is the one the capture screen looks for', async () => {
    const { page, station } = session;
    // A camera that is not plugged in (the browser only has its fake device).
    await station.setSetting('camera', 'Studio Cam HD');
    await page.reload();
    await page.getByTestId('operator-line').getByText('The usual camera is not connected; using another one until it is back.').waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const camera = page.getByLabel('Camera', { exact: true });
    expect(await camera.locator('option:checked').textContent()).toBe('Studio Cam HD (not connected)');
    await camera.selectOption('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('settings-result').getByText('Settings saved. 1 setting changed.').waitFor();
    expect(await value('camera')).toBe('');
    await page.reload();
    await page.getByTestId('operator-line').waitFor();
    await until(page, 'the fake camera in use', () => !/usual camera/.test(document.querySelector('[data-testid="operator-line"]')?.textContent ?? '') && document.querySelector('[data-testid="person-prompt"]')?.textContent !== '');
    expect(await page.getByTestId('operator-line').textContent()).not.toContain('The usual camera is not connected');
  });

  it('refuses `insecure` from the window whatever the page does, and says so in Settings', async () => {
    const { page, station } = session;
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByText('Connections to the service are always encrypted.').waitFor();
    const refusal = await page.evaluate(() => (window as unknown as { station: StationApi }).station.setSetting('insecure', true).then(() => null, (error: { code: string }) => error.code));
    expect(refusal).toBe('SETTING_LOCKED');
    expect(await value('insecure')).toBe(false);
    expect(station.store.audit.recent(20).map((entry) => entry.event)).toContain('setting_refused');
    expect(session.problems).toEqual([]);
  });
});
