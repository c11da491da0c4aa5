import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StationApi } from '../../src/shared/contract.js';
import { openCaptureSession, type CaptureSession } from './capture-harness.js';

/**
 * The administrator PIN at the kiosk, in real Chromium against the real engine: setting the first PIN, the
 * locked read-only Settings, a wrong PIN refused with the tries left, the lockout after five with its
 * waiting time, the right PIN refused while it runs, then accepted once it is over; kiosk mode switched on
 * behind the PIN; Lock ends the session. The lockout's clock is the engine's, injected here, so the
 * 30-second wait is moved on instead of waited out (the page counts down by asking the engine).
 */
let session: CaptureSession;
let clock = Date.parse('2026-06-01T09:00:00Z');
const PIN = '4826';

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'pattern', viewport: { width: 1100, height: 900 }, adminClock: () => clock });
  await session.page.getByRole('tab', { name: 'Settings' }).click();
  await session.page.getByTestId('admin-panel').waitFor();
}, 240_000);
afterAll(async () => {
  await session?.close();
});

const panel = () => session.page.getByTestId('admin-panel');
const pinLine = () => session.page.locator('#unlock-pin-help');
const callFromPage = (method: 'unlockAdmin' | 'setSetting', ...args: unknown[]) =>
  session.page.evaluate(
    ([name, params]) => ((window as unknown as { station: StationApi }).station[name] as (...a: unknown[]) => Promise<unknown>)(...params).then(() => 'ok', (error: { code: string }) => error.code),
    [method, args] as const,
  );

describe('kiosk: administrator PIN', { timeout: 240_000 }, () => {
  it('sets the first PIN (typed twice), and Lock makes Settings read-only', async () => {
    const { page, station } = session;
    await page.getByRole('button', { name: 'Set PIN' }).click();
    await page.getByLabel('New PIN', { exact: true }).fill('12');
    expect(await page.locator('#new-pin-help').textContent()).toBe('The PIN is 4 to 12 digits.');
    await page.getByLabel('New PIN', { exact: true }).fill(PIN);
    await page.getByLabel('New PIN again').fill('4827');
    expect(await page.locator('#repeat-pin-help').textContent()).toBe('The two new PINs differ: type the same PIN twice.');
    expect(await page.getByRole('button', { name: 'Set PIN' }).last().isDisabled()).toBe(true);
    await page.getByLabel('New PIN again').fill(PIN);
    await page.locator('form.change-pin').getByRole('button', { name: 'Set PIN' }).click();
    await page.getByTestId('admin-notice').getByText('The administrator PIN is set. The settings now need it.').waitFor();
    expect(await station.adminStatus()).toMatchObject({ pinSet: true, unlocked: true });

    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('button', { name: 'Unlock with PIN' }).waitFor();
    expect(await station.adminStatus()).toMatchObject({ pinSet: true, unlocked: false });
    expect(await panel().textContent()).toContain('The settings are locked');
    // Read-only: the values are shown, nothing can be edited or saved...
    expect(await page.getByLabel('Client ID').isDisabled()).toBe(true);
    expect(await page.getByLabel('Kiosk mode').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    // ...and the engine refuses a change even when the page asks for it directly.
    expect(await callFromPage('setSetting', 'clientId', 'sneaky')).toBe('PIN_REQUIRED');
  });

  it('refuses a wrong PIN with the tries left, then locks out after five with the wait in words', async () => {
    const { page, station } = session;
    const unlock = page.getByRole('button', { name: 'Unlock with PIN' });
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await page.getByLabel('Administrator PIN').fill('1111');
      await unlock.click();
      const left = 5 - attempt;
      await pinLine().getByText(`Wrong PIN. ${left} more ${left === 1 ? 'try' : 'tries'} before a waiting time.`).waitFor();
      expect(await station.adminStatus()).toMatchObject({ unlocked: false, triesLeft: left });
    }
    await page.getByLabel('Administrator PIN').fill('1111');
    await unlock.click();
    await pinLine().getByText('Too many wrong PINs. Try again in 30 seconds.').waitFor();
    expect(await unlock.isDisabled()).toBe(true);
    expect(await station.adminStatus()).toMatchObject({ unlocked: false, retryAfterSeconds: 30 });
    // The right PIN is refused by the engine while the lockout runs, however it is sent.
    expect(await callFromPage('unlockAdmin', PIN)).toBe('PIN_LOCKED');
    // The wait counts down by the engine's clock.
    clock += 12_000;
    await pinLine().getByText('Too many wrong PINs. Try again in 18 seconds.').waitFor();
    await session.screenshot('kiosk-pin-lockout');
    const events = station.store.audit.recent(50).map((entry) => entry.event);
    expect(events.filter((event) => event === 'admin_pin_wrong')).toHaveLength(5);
    expect(events).toContain('admin_pin_refused_locked');
  });

  it('takes the right PIN once the wait is over, opens the settings, and Lock closes them again', async () => {
    const { page, station } = session;
    clock += 19_000;
    const unlock = page.getByRole('button', { name: 'Unlock with PIN' });
    await page.waitForFunction(() => !document.querySelector('#unlock-pin-help'), undefined, { polling: 100, timeout: 30_000 });
    await page.getByLabel('Administrator PIN').fill(PIN);
    expect(await unlock.isDisabled()).toBe(false);
    await unlock.click();
    await page.getByRole('button', { name: 'Lock', exact: true }).waitFor();
    expect(await station.adminStatus()).toMatchObject({ unlocked: true, triesLeft: 5 });
    expect(await panel().textContent()).toContain('The settings are unlocked.');

    // Kiosk mode is a setting behind the PIN (main applies it to the window).
    await page.getByLabel('Kiosk mode').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('settings-result').getByText('Settings saved. 1 setting changed.').waitFor();
    expect((await station.getSettings()).find((view) => view.name === 'kioskMode')?.value).toBe(true);

    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('button', { name: 'Unlock with PIN' }).waitFor();
    expect(await station.adminStatus()).toMatchObject({ unlocked: false });
    expect(await page.getByLabel('Kiosk mode').isDisabled()).toBe(true);
    expect(await page.getByLabel('Kiosk mode').isChecked()).toBe(true);
  });

  it('changes the PIN only with the current one', async () => {
    const { page, station } = session;
    await page.getByLabel('Administrator PIN').fill(PIN);
    await page.getByRole('button', { name: 'Unlock with PIN' }).click();
    await page.getByRole('button', { name: 'Change PIN' }).click();
    await page.getByLabel('Current PIN').fill('0000');
    await page.getByLabel('New PIN', { exact: true }).fill('97531');
    await page.getByLabel('New PIN again').fill('97531');
    await page.getByRole('button', { name: 'Save new PIN' }).click();
    await page.locator('#current-pin-help').getByText('Wrong PIN. 4 more tries before a waiting time.').waitFor();
    await page.getByLabel('Current PIN').fill(PIN);
    await page.getByRole('button', { name: 'Save new PIN' }).click();
    await page.getByTestId('admin-notice').getByText('The administrator PIN is changed.').waitFor();
    await station.lockAdmin();
    await expect(station.unlockAdmin(PIN)).rejects.toMatchObject({ code: 'PIN_WRONG' });
    expect(await station.unlockAdmin('97531')).toMatchObject({ unlocked: true });
    expect(station.store.audit.recent(50).map((entry) => entry.event)).toContain('admin_pin_changed');
    expect(session.problems).toEqual([]);
  });
});
