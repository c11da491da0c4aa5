import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACES, openCaptureSession, until, type CaptureSession } from './capture-harness.js';

/**
 * The built-in test service chosen in Settings, in real Chromium against the real engine: an enrollment
 * waits in the queue with no service set up; choosing "Built-in test service" starts the embedded local
 * BWS service, the TEST SERVICE badge appears, and the waiting enrollment is sent to it; choosing the BioID
 * service again takes the badge away.
 */
let session: CaptureSession;

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'pattern', viewport: { width: 900, height: 640 } });
  await session.station.enrollImages('77', [{ name: 'obama.jpg', bytes: fs.readFileSync(path.join(FACES, 'obama.jpg')) }]);
  await session.page.getByTestId('sync-badge').waitFor();
}, 240_000);
afterAll(async () => {
  await session?.close();
});

describe('settings: the built-in test service', { timeout: 240_000 }, () => {
  it('is never chosen by itself: no badge, and the enrollment waits', async () => {
    const { page, station } = session;
    expect(await page.getByTestId('sync-badge').textContent()).toContain('No service set up');
    expect(await page.getByTestId('test-service-badge').count()).toBe(0);
    expect((await station.listJobs()).map((job) => job.state)).toEqual(['queued']);
  });

  it('chosen in Settings, shows the TEST SERVICE badge and sends the waiting enrollment to it', async () => {
    const { page, station } = session;
    await chooseService(page, 'Built-in test service');
    await page.getByTestId('test-service-badge').waitFor();
    expect(await page.getByTestId('test-service-badge').textContent()).toMatch(/^TEST SERVICE/);
    await session.screenshot('settings-test-service');
    // The tag sits on one line under the product name; the badge keeps the bar's right end, inside the window.
    const tag = (await page.getByTestId('test-service-badge').boundingBox())!;
    const brand = (await page.locator('.brand').boundingBox())!;
    const badge = (await page.getByTestId('sync-badge').boundingBox())!;
    expect(badge.x + badge.width).toBeLessThanOrEqual(900);
    expect(tag.height).toBeLessThan(30);
    expect({ below: tag.y >= brand.y + brand.height - 1, left: Math.abs(tag.x - brand.x) < 2 }).toEqual({ below: true, left: true });
    await expect.poll(async () => (await station.listJobs())[0]!.state, { timeout: 120_000, interval: 250 }).toBe('synced');
    expect(await station.syncStatus()).toMatchObject({ testService: true });
    // The queue screen shows it sent.
    await page.getByRole('tab', { name: 'Queue' }).click();
    await until(page, 'class 77 shown as sent', () => [...document.querySelectorAll('tr')].some((row) => row.textContent?.includes('77') && /Sent/.test(row.textContent)));
  });

  it('choosing the BioID service again takes the badge away', async () => {
    const { page, station } = session;
    await chooseService(page, 'BioID service (the address below)');
    await until(page, 'no TEST SERVICE badge', () => document.querySelector('[data-testid="test-service-badge"]') === null);
    expect((await station.getSettings()).find((view) => view.name === 'testService')?.value).toBe(false);
    expect(await page.getByTestId('sync-badge').textContent()).toContain('No service set up');
    expect(session.problems).toEqual([]);
  });
});

/** Picks where enrollments go on the Settings screen and waits until the engine has stored that one change. */
async function chooseService(page: Page, radio: string): Promise<void> {
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: radio }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByTestId('settings-result').getByText('Settings saved. 1 setting changed.').waitFor();
}
