import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACES, openCaptureSession, until, type CaptureSession } from './capture-harness.js';

/**
 * The supervisor override of a duplicate refusal, in real Chromium against the real engine: the station
 * already holds this face as class 42; the same face under class 43 is refused ("looks like class 42"); with
 * the administrator session locked the app asks for the PIN, refuses a wrong one in words (the refusal and
 * the PIN box stay), and queues the enrollment with the right one; the override is audited.
 */
let session: CaptureSession;
const PIN = '5173';

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'obama.jpg', viewport: { width: 900, height: 640 } });
  const { station } = session;
  await station.enrollImages('42', [{ name: 'obama.jpg', bytes: fs.readFileSync(path.join(FACES, 'obama.jpg')) }]);
  await station.setAdminPin('', PIN);
  await station.lockAdmin();
}, 240_000);
afterAll(async () => {
  await session?.close();
});

describe('kiosk: supervisor override with the administrator PIN', { timeout: 240_000 }, () => {
  it('refuses the same face under another class id, and the override asks for the PIN while the session is locked', async () => {
    const { page } = session;
    await page.getByLabel('Class ID').fill('43');
    await until(page, 'three checked photos', () => document.querySelectorAll('[data-testid="photo"]').length === 3 && [...document.querySelectorAll('.shot-verdict')].every((element) => !/checking/.test(element.textContent ?? '')));
    await page.getByRole('button', { name: 'Enroll', exact: true }).click();
    await until(page, 'the refusal', () => /Not queued/.test(document.querySelector('[data-testid="outcome"]')?.textContent ?? ''));
    expect(await page.getByTestId('outcome').textContent()).toMatch(/looks like class 42/);
    await page.getByRole('button', { name: 'Supervisor override…' }).click();
    await page.getByLabel('Administrator PIN').waitFor();
    // No way past it without the PIN: the button waits for one.
    expect(await page.getByRole('button', { name: 'Enroll anyway' }).isDisabled()).toBe(true);
  });

  it('a wrong PIN is refused in words and nothing is queued; the refusal and the PIN box stay', async () => {
    const { page, station } = session;
    await page.getByLabel('Administrator PIN').fill('0000');
    await page.getByRole('button', { name: 'Enroll anyway' }).click();
    await page.locator('#admin-pin-help').getByText('Wrong PIN. 4 more tries before a waiting time.').waitFor();
    expect(await page.getByTestId('outcome').textContent()).toMatch(/looks like class 42/);
    expect((await station.listJobs()).map((job) => job.classId)).toEqual(['42']);
    await session.screenshot('kiosk-override-wrong-pin');
    // At the smallest window the PIN box and its button are still in view, next to the refusal.
    for (const control of [page.getByLabel('Administrator PIN'), page.getByRole('button', { name: 'Enroll anyway' })]) {
      const box = (await control.boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(640);
    }
  });

  it('the right PIN queues the enrollment as an override, audited', async () => {
    const { page, station } = session;
    await page.getByLabel('Administrator PIN').fill(PIN);
    await page.getByRole('button', { name: 'Enroll anyway' }).click();
    await until(page, 'the queued result', () => /Class 43 is queued/.test(document.querySelector('[data-testid="outcome"]')?.textContent ?? ''));
    expect(await page.getByTestId('outcome').textContent()).toContain('Queued by supervisor override although the face looks like class 42.');
    expect((await station.listJobs()).map((job) => job.classId).sort()).toEqual(['42', '43']);
    const events = station.store.audit.recent(50).map((entry) => entry.event);
    expect(events).toContain('enroll_override');
    expect(events).toContain('admin_pin_wrong');
    // The PIN authorised this one override; it did not open the settings.
    expect(await station.adminStatus()).toMatchObject({ unlocked: false });
    expect(session.problems).toEqual([]);
  });
});
