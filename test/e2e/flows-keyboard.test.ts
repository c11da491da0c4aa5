import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { focused, openCaptureSession, untilPhotosChecked, type CaptureSession } from './capture-harness.js';

/**
 * A whole enrollment with the keyboard alone (Tab, Enter and Space: what a front desk with a barcode scanner
 * and no mouse has), in real Chromium against the real engine. Every stop of the focus is visible (the
 * station draws its focus ring), and the scanner's Enter after the class id moves on to the camera instead
 * of submitting anything.
 */
let session: CaptureSession;
/** Every element the focus visited, for the failure message. */
const path: Array<{ what: string; visible: boolean }> = [];

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'obama.jpg', viewport: { width: 900, height: 640 } });
}, 240_000);
afterAll(async () => {
  await session?.close();
});

/** Presses Tab until `selector` has the focus (at most `limit` times); each stop must show its focus ring. */
async function tabTo(selector: string, limit = 25): Promise<void> {
  const { page } = session;
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const stop = await focused(page);
    path.push(stop);
    expect(stop.visible, `focus ring on ${stop.what}; focus went ${path.map((entry) => entry.what).join(' -> ')}`).toBe(true);
    if (await page.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}: ${path.map((entry) => entry.what).join(' -> ')}`);
}

describe('keyboard-only enrollment', { timeout: 240_000 }, () => {
  it('reaches the class id field with Tab, every stop visibly focused', async () => {
    const { page } = session;
    await page.getByRole('tab', { name: 'Capture' }).waitFor();
    await tabTo('#class-id');
    // The tab bar comes first (one stop: the arrow keys move within it), then the capture controls.
    expect(path[0]!.what).toMatch(/^button#tab-capture/);
  });

  it('a scanner types the id and presses Enter: the focus moves to the camera, nothing is submitted', async () => {
    const { page, station } = session;
    await page.keyboard.type('000777');
    await page.keyboard.press('Enter');
    const stop = await focused(page);
    expect(stop.what).toMatch(/^div\.stage/);
    expect(stop.visible).toBe(true);
    expect(await station.listJobs()).toEqual([]);
    await session.screenshot('keyboard-focus-on-camera');
  });

  it('the photos come by themselves; Tab reaches Enroll and Space submits', async () => {
    const { page, station } = session;
    await untilPhotosChecked(page, 3);
    path.length = 0;
    await tabTo('.submit button.primary');
    // On the way: each photo's Retake and Remove.
    expect(path.filter((stop) => /Retake photo \d/.test(stop.what))).toHaveLength(3);
    await session.screenshot('keyboard-focus-on-enroll');
    await page.keyboard.press('Space');
    await page.getByText(/^Class 777 is queued with 3 of 3 photos\./).waitFor({ timeout: 120_000 });
    expect((await station.listJobs()).map((job) => [job.classId, job.state, job.imageCount])).toEqual([['777', 'queued', 3]]);
    // Ready for the next person: the focus is back in the empty class id field.
    expect((await focused(page)).what).toMatch(/^input#class-id/);
    expect(await page.locator('#class-id').inputValue()).toBe('');
  });

  it('Enter removes a photo, and Space outside a field or button takes one by hand', async () => {
    const { page } = session;
    await page.keyboard.type('778');
    await page.keyboard.press('Enter');
    await untilPhotosChecked(page, 3);
    path.length = 0;
    await tabTo('[aria-label="Remove photo 3"]');
    await page.keyboard.press('Enter');
    await untilPhotosChecked(page, 2);
    // The focus is wherever the removed button left it; Space on the page (not in a field or on a button)
    // is the manual shutter.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Space');
    await untilPhotosChecked(page, 3);
    expect(session.problems).toEqual([]);
  });
});
