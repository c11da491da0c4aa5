import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaptureSession, until, untilPhotosChecked, type CaptureSession } from './capture-harness.js';

/**
 * Inactivity reset in real Chromium against the real engine: with the idle time set small in the station's
 * settings, the class id and the photos of the last visitor are cleared once nobody has touched the station
 * for that long, and never while the operator is at work.
 */
let session: CaptureSession;
const IDLE_SECONDS = 5;

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'obama.jpg', viewport: { width: 900, height: 640 }, settings: { idleResetSeconds: IDLE_SECONDS } });
}, 240_000);
afterAll(async () => {
  await session?.close();
});

/**
 * The operator stays at the desk (a key press, as often as the check below is repeated) until `done` holds
 * in the page, so the idle time cannot run out while the photos are being taken on a slow machine.
 * Returns when the last key was pressed.
 */
async function busyUntil(page: Page, done: () => Promise<boolean>, what: string, timeout = 180_000): Promise<number> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    await page.keyboard.press('Shift');
    const pressedAt = Date.now();
    if (await done()) return pressedAt;
  }
  const screen = await page.evaluate(() => [(document.querySelector('#class-id') as HTMLInputElement | null)?.value, document.querySelector('[data-testid="capture-progress"]')?.textContent, document.querySelectorAll('[data-testid="photo"]').length]);
  throw new Error(`timed out waiting for ${what}; class id, progress and photos: ${JSON.stringify(screen)}`);
}

describe('inactivity reset', { timeout: 240_000 }, () => {
  it('keeps the class id and photos while the operator is active', async () => {
    const { page } = session;
    // The engine loads its models with the first frames (seconds, on a loaded machine, in this very process):
    // wait for live guidance first, so the operator's key presses below are not held up behind that.
    await until(page, 'the ready prompt', () => document.querySelector('[data-testid="person-prompt"]')?.textContent === 'Perfect. Hold still.');
    await page.getByLabel('Class ID').fill('91');
    const photos = () => untilPhotosChecked(page, 3, 1000).then(() => true, () => false);
    await busyUntil(page, photos, 'three checked photos while the operator is active');
    // Longer than the idle time, with the operator at work: everything stays.
    const since = Date.now();
    await busyUntil(page, async () => Date.now() - since > (IDLE_SECONDS + 2) * 1000, 'the idle time to pass with activity');
    expect(await page.getByLabel('Class ID').inputValue()).toBe('91');
    expect(await page.getByTestId('photo').count()).toBe(3);
    await session.screenshot('idle-before-reset');
  });

  it(`clears the class id and the photos after ${IDLE_SECONDS} s without input`, async () => {
    const { page, station } = session;
    const lastInput = await busyUntil(page, async () => true, 'one key press');
    await until(page, 'the reset', () => (document.querySelector('#class-id') as HTMLInputElement | null)?.value === '' && document.querySelectorAll('[data-testid="photo"]').length === 0, 60_000);
    expect(Date.now() - lastInput).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000);
    expect(await page.getByTestId('capture-progress').textContent()).toBe('Enter the class ID to start automatic capture.');
    expect(await page.getByRole('heading', { name: 'Photos (0)' }).count()).toBe(1);
    // Ready for the next person, with the cursor in the class id field; nothing was sent anywhere.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('class-id');
    expect(await station.listJobs()).toEqual([]);
    await session.screenshot('idle-after-reset');
  });

  it('after the reset nothing is captured until a class id is entered again', async () => {
    const { page } = session;
    await until(page, 'the ready prompt', () => document.querySelector('[data-testid="person-prompt"]')?.textContent === 'Perfect. Hold still.');
    expect(await page.getByTestId('photo').count()).toBe(0);
    await page.getByLabel('Class ID').fill('92');
    await busyUntil(page, () => untilPhotosChecked(page, 3, 1000).then(() => true, () => false), 'three checked photos for the next person');
    expect(session.problems).toEqual([]);
  });
});
