import type { Locator, Page } from 'playwright-core';
import { createIntl } from 'react-intl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/renderer/i18n/catalog.js';
import { openCaptureSession, until, type CaptureSession } from './capture-harness.js';

/**
 * The smallest window the station allows (900x640), in English and in German (longer words): on every screen
 * every main action is inside the window without scrolling, nothing runs off to the side, the brand stays on
 * one line and the sync badge stays compact in every state it can show. Screenshots of each screen are saved
 * for a person to look at.
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

const BADGE_STATES = ['app.status.online', 'app.status.syncing', 'app.status.offline', 'app.status.degraded', 'app.status.unconfigured', 'app.status.paused'] as const;

/**
 * The sync badge in every state it can show, each with two-digit counts of waiting enrollments and of those
 * needing attention, with and without the TEST SERVICE tag beside it, in the catalog's words for `language`.
 * Measured in place: a copy of the real status area (the real CSS applies) stands in the top bar in its
 * place for each variant, and a copy of the tag under the product name. Returns the badge's height in lines and how much taller it makes the
 * top bar than the brand and the tabs alone (px).
 */
async function badgeVariants(page: Page, language: 'en' | 'de'): Promise<Array<{ text: string; lines: number; grows: number }>> {
  const intl = createIntl({ locale: language, messages: messagesFor(language), onError: (error) => { throw error; } });
  const variants = BADGE_STATES.flatMap((state) =>
    [false, true].map((tag) => ({
      tag: tag ? intl.formatMessage({ id: 'app.status.testService' }) : null,
      parts: [intl.formatMessage({ id: state }), intl.formatMessage({ id: 'app.status.waiting' }, { count: 12 }), intl.formatMessage({ id: 'app.status.attention' }, { count: 12 })],
    })),
  );
  return page.evaluate((list) => {
    // One synchronous run: the real status area is taken out of the bar and put back before React can render.
    const real = document.querySelector<HTMLElement>('.status-area')!;
    const bar = real.parentElement!;
    const holder = document.createComment('status-area');
    real.replaceWith(holder);
    const base = bar.getBoundingClientRect().height;
    try {
      return list.map(({ tag, parts }) => {
        const area = document.createElement('div');
        area.className = 'status-area';
        const tagElement = document.createElement('p');
        tagElement.className = 'test-service';
        tagElement.textContent = tag;
        if (tag) document.querySelector('.brand-block')!.append(tagElement);
        const badge = document.createElement('p');
        badge.className = 'badge badge-paused';
        parts.forEach((text, index) => {
          const span = document.createElement('span');
          span.className = ['badge-state', 'badge-count', 'badge-count badge-attention'][index]!;
          span.textContent = text;
          badge.append(span);
        });
        area.append(badge);
        holder.replaceWith(area);
        const style = getComputedStyle(badge);
        const frame = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth'].reduce((sum, side) => sum + parseFloat(style[side as 'paddingTop']), 0);
        const lines = (badge.getBoundingClientRect().height - frame) / parseFloat(style.lineHeight);
        const grows = bar.getBoundingClientRect().height - base;
        area.replaceWith(holder);
        tagElement.remove();
        return { text: `${tag ? `[${tag}] ` : ''}${parts.join(' ')}`, lines: Math.round(lines * 10) / 10, grows: Math.round(grows) };
      });
    } finally {
      holder.replaceWith(real);
    }
  }, variants);
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
      // The badge in every state, with two-digit counts and the TEST SERVICE tag: at most two lines, so the
      // top bar never grows past the height its tabs give it.
      const badges = await badgeVariants(page, words.language);
      expect(badges.filter((badge) => badge.lines > 2 || badge.grows > 0), JSON.stringify(badges)).toEqual([]);
      await inWindow(page, page.getByRole('button', { name: words.save }), 'save');
      await inWindow(page, page.getByRole('button', { name: words.unlock }), 'unlock');
      await inWindow(page, page.locator('#unlock-pin'), 'PIN box');
      expect(session.problems).toEqual([]);
    });
  }
});
