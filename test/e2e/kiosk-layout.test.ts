import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaptureSession, until, type CaptureSession } from './capture-harness.js';

/**
 * The smallest window the station allows (900x640), in English and in German (longer words): on every screen
 * every main action is inside the window without scrolling, nothing runs off to the side, and the brand
 * stays on one line. Screenshots of each screen are saved for a person to look at.
 */
const WINDOW = { width: 900, height: 640 };
let session: CaptureSession;

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'obama.jpg', viewport: WINDOW });
  // A PIN, so Settings shows its locked state (the state a kiosk is in most of the time).
  await session.station.setAdminPin('', '2468');
  await session.station.lockAdmin();
}, 240_000);
afterAll(async () => {
  await session?.close();
});

/** The element is rendered and lies wholly inside the window, as it is, without any scrolling. */
async function inWindow(page: Page, locator: Locator, what: string): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 60_000 });
  const box = await locator.boundingBox();
  expect(box, what).not.toBeNull();
  expect({ what, left: box!.x >= 0, top: box!.y >= 0, right: box!.x + box!.width <= WINDOW.width, bottom: box!.y + box!.height <= WINDOW.height }).toEqual({ what, left: true, top: true, right: true, bottom: true });
}

async function checkShell(page: Page): Promise<void> {
  const sizes = await page.evaluate(() => {
    const scroller = document.scrollingElement!;
    const brand = document.querySelector('.brand')!;
    return { scrollX: scroller.scrollWidth - scroller.clientWidth, scrollY: scroller.scrollTop, brandLines: brand.getBoundingClientRect().height / parseFloat(getComputedStyle(brand).lineHeight) };
  });
  expect(sizes.scrollX, 'no sideways scrolling').toBeLessThanOrEqual(0);
  expect(sizes.scrollY).toBe(0);
  expect(sizes.brandLines, 'the brand on one line').toBeLessThan(1.5);
  for (const tab of await page.getByRole('tab').all()) await inWindow(page, tab, `tab ${await tab.textContent()}`);
  await inWindow(page, page.getByTestId('sync-badge'), 'sync badge');
}

const LANGUAGES = [
  { language: 'en', tabs: ['Capture', 'Queue', 'Settings'], manual: /^Take photo/, enroll: 'Enroll', sync: 'Sync now', retry: 'Retry all', save: 'Save', unlock: 'Unlock with PIN', classId: 'Class ID' },
  { language: 'de', tabs: ['Aufnahme', 'Warteschlange', 'Einstellungen'], manual: /^Foto aufnehmen/, enroll: 'Anlernen', sync: 'Jetzt senden', retry: 'Alle erneut', save: 'Speichern', unlock: 'Mit PIN entsperren', classId: 'Klassen-ID' },
] as const;

describe('every main action fits the 900x640 window', { timeout: 240_000 }, () => {
  for (const words of LANGUAGES) {
    it(`in ${words.language === 'en' ? 'English' : 'German'}: Capture (with photos), Queue, Settings (locked)`, async () => {
      const { page, station } = session;
      // The language is a station setting: set it in the engine (the session is open for the test) and reload.
      await station.unlockAdmin('2468');
      await station.setSetting('language', words.language);
      await station.lockAdmin();
      await page.reload();
      await page.getByRole('tab', { name: words.tabs[0] }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(words.language);

      // Capture, with a class id and the photos taken: the list scrolls, Enroll stays in the window.
      await page.getByLabel(words.classId).fill(words.language === 'en' ? '7' : '8');
      await until(page, 'three checked photos', () => document.querySelectorAll('[data-testid="photo"]').length === 3 && [...document.querySelectorAll('.shot-verdict')].every((element) => !/checking|prüf/i.test(element.textContent ?? '')));
      await session.screenshot(`layout-900x640-${words.language}-capture`);
      await checkShell(page);
      await inWindow(page, page.getByLabel(words.classId), 'class id');
      await inWindow(page, page.getByRole('button', { name: words.manual }), 'manual capture');
      await inWindow(page, page.getByRole('button', { name: words.enroll, exact: true }), 'enroll');
      await inWindow(page, page.getByTestId('person-prompt'), 'person prompt');

      await page.getByRole('tab', { name: words.tabs[1] }).click();
      await page.getByRole('button', { name: words.sync }).waitFor();
      await session.screenshot(`layout-900x640-${words.language}-queue`);
      await checkShell(page);
      await inWindow(page, page.getByRole('button', { name: words.sync }), 'sync now');
      await inWindow(page, page.getByRole('button', { name: words.retry }), 'retry all');

      await page.getByRole('tab', { name: words.tabs[2] }).click();
      await page.getByRole('button', { name: words.unlock }).waitFor();
      await session.screenshot(`layout-900x640-${words.language}-settings`);
      await checkShell(page);
      await inWindow(page, page.getByRole('button', { name: words.save }), 'save');
      await inWindow(page, page.getByRole('button', { name: words.unlock }), 'unlock');
      await inWindow(page, page.locator('#unlock-pin'), 'PIN box');
      expect(session.problems).toEqual([]);
    });
  }
});
