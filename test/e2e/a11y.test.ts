import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './axe.js';
import { openCaptureSession, until, untilPhotosChecked, type CaptureSession } from './capture-harness.js';

/**
 * Every screen and main state, in English and German, scanned by axe-core (WCAG 2.1 A and AA) in real
 * Chromium against the real engine: no serious or critical violation anywhere. Each state is also saved as a
 * PNG under test-results/screens/ (`<lang>-<screen>-<state>.png`), the set the README's pictures come from.
 * One session for all of it: the language setting is switched and the page reloaded, as an administrator's
 * change would do.
 */
let session: CaptureSession;
const LANGS = ['en', 'de'] as const;
type Lang = (typeof LANGS)[number];
const PIN = '246810';
const scanned: string[] = [];

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'obama.jpg', viewport: { width: 1280, height: 800 } });
}, 240_000);
afterAll(async () => {
  await session?.close();
});

async function useLanguage(lang: Lang, tab: 'capture' | 'queue' | 'settings' = 'capture'): Promise<void> {
  const { page, station } = session;
  // The language is an administrator's setting: behind the PIN once one is set.
  const admin = await station.adminStatus();
  if (admin.pinSet && !admin.unlocked) await station.unlockAdmin(PIN);
  await station.setSetting('language', lang);
  if (admin.pinSet && !admin.unlocked) await station.lockAdmin();
  await page.reload();
  await until(page, `the page in ${lang}`, () => document.querySelector('#tab-capture') !== null);
  expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
  if (tab !== 'capture') await page.locator(`#tab-${tab}`).click();
  await page.locator(`#panel-${tab} h2`).first().waitFor();
}

/** Screenshot, then scan; a failure lists each violation with the elements it concerns. */
async function check(name: string): Promise<void> {
  await session.screenshot(name);
  const { violations, rulesPassed } = await axeViolations(session.page);
  scanned.push(name);
  // axe really looked at the page (a scan of an empty document passes a handful of rules at most).
  expect(rulesPassed, name).toBeGreaterThan(15);
  expect(violations, `${name}:\n${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

const faceSeen = () => document.querySelector('svg.overlay rect.face-box') !== null;



async function capturePhotos(classId: string): Promise<void> {
  const { page } = session;
  await page.locator('#class-id').fill(classId);
  await untilPhotosChecked(page, 3);
}

async function enroll(): Promise<void> {
  const { page } = session;
  await page.locator('.submit button.primary').click();
  await until(page, 'the enrollment result', () => document.querySelector('[data-testid="outcome"] [role="status"].success, [data-testid="outcome"] [role="alert"]') !== null);
}

describe('accessibility (axe-core, WCAG 2.1 AA) of every screen and state, in English and German', { timeout: 240_000 }, () => {
  it('capture: live guidance without a class id, and an invalid class id', async () => {
    for (const lang of LANGS) {
      await useLanguage(lang);
      await until(session.page, 'live guidance with a face box', faceSeen);
      await check(`${lang}-capture-live`);
      await session.page.locator('#class-id').fill('12x');
      await check(`${lang}-capture-class-id-invalid`);
    }
  });

  it('follows the OS request for reduced motion: the face box jumps instead of gliding', async () => {
    const { page } = session;
    await until(page, 'live guidance with a face box', faceSeen);
    const glide = () => page.locator('svg.overlay rect.face-box').first().evaluate((element) => getComputedStyle(element).transitionDuration);
    expect(await glide()).not.toBe('0s');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await glide()).toBe('0s');
    await page.emulateMedia({ reducedMotion: null });
  });

  it('queue and settings before anything is queued and before an administrator PIN is set', async () => {
    for (const lang of LANGS) {
      await useLanguage(lang, 'queue');
      await until(session.page, 'the empty queue', () => document.querySelector('#panel-queue .muted') !== null && document.querySelector('table.jobs') === null);
      await check(`${lang}-queue-empty`);
      await useLanguage(lang, 'settings');
      await check(`${lang}-settings-no-pin`);
    }
  });

  it('settings locked and unlocked by the administrator PIN', async () => {
    const { station } = session;
    await station.setAdminPin('', PIN);
    await station.lockAdmin();
    for (const lang of LANGS) {
      await useLanguage(lang, 'settings');
      await check(`${lang}-settings-locked`);
    }
    await station.unlockAdmin(PIN);
    for (const lang of LANGS) {
      await useLanguage(lang, 'settings');
      await check(`${lang}-settings-unlocked`);
    }
    await station.lockAdmin();
  });

  it('capture: review, queued, and a duplicate refused with the supervisor override (each language)', async () => {
    const { page } = session;
    // English: class 501 is queued; then the same face as 502 is refused as a duplicate.
    await useLanguage('en');
    await capturePhotos('501');
    await check('en-capture-review');
    await enroll();
    expect(await page.getByTestId('outcome').textContent()).toMatch(/queued/);
    await check('en-capture-queued');
    await capturePhotos('502');
    await enroll();
    await page.locator('[data-testid="outcome"] button.danger').click();
    await page.locator('#admin-pin').waitFor();
    await check('en-capture-duplicate');
    // German: the same face as 503, refused, then let through by the supervisor's PIN.
    await useLanguage('de');
    await capturePhotos('503');
    await check('de-capture-review');
    await enroll();
    await page.locator('[data-testid="outcome"] button.danger').click();
    await page.locator('#admin-pin').fill(PIN);
    await check('de-capture-duplicate');
    await page.locator('.override button[type="submit"]').click();
    await until(page, 'the override result', () => document.querySelector('[data-testid="outcome"] [role="status"].success') !== null);
    await check('de-capture-queued');
    expect((await session.station.listJobs()).map((job) => job.classId).sort()).toEqual(['501', '503']);
  });

  it('queue with jobs', async () => {
    for (const lang of LANGS) {
      await useLanguage(lang, 'queue');
      await until(session.page, 'the queued jobs', () => document.querySelectorAll('table.jobs tbody tr').length === 2);
      await session.page.locator('table.jobs details summary').first().click();
      await check(`${lang}-queue-jobs`);
    }
    expect(session.problems).toEqual([]);
    expect(scanned).toHaveLength(20);
  });
});
