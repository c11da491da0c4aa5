import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '../../src/engine/station.js';
import { FACES, openCaptureSession, SCREENS, type CaptureSession } from './capture-harness.js';

/**
 * The renderer in real Chromium (Debian's, driven by playwright-core) against the real engine: the built
 * renderer is served on 127.0.0.1 with the app's CSP, a test bridge stands in for the preload, and every
 * call goes bridge -> HTTP -> the station RPC (validated at the engine port) -> createStation() with a real
 * encrypted queue and the ONNX models. The camera is Chromium's fake device playing a shared face photo.
 */
let session: CaptureSession;
let station: Station;
let page: Page;
let problems: string[];

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'obama-720p.jpg', viewport: { width: 1280, height: 860 }, maxCameraWidth: 1280, frames: 1 });
  ({ station, page, problems } = session);
}, 180_000);

afterAll(async () => {
  await session?.close();
});

describe('renderer in Chromium', { timeout: 150_000 }, () => {
  it('opens on Capture (the capture flows have their own files: capture-*.test.ts)', async () => {
    await page.getByRole('heading', { name: 'Capture', level: 2 }).waitFor();
    expect(await page.getByRole('tab', { name: 'Capture' }).getAttribute('aria-selected')).toBe('true');
  });

  it('Queue lists the jobs from the engine and a discard (with a reason) updates the table', async () => {
    // Queue one of the shared photos, the way the CLI would.
    const bytes = fs.readFileSync(path.join(FACES, 'obama.jpg'));
    await station.enroll({ classId: '4242', images: [{ name: 'obama.jpg', bytes: new Uint8Array(bytes) }], force: false });
    const [job] = await station.listJobs();
    expect(job).toBeDefined();
    await page.getByRole('tab', { name: 'Queue' }).click();
    await page.getByRole('heading', { name: 'Queue', level: 2 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: job!.classId });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.state').textContent()).toBe('Waiting to send');
    await session.screenshot('renderer-queue');

    await row.getByRole('button', { name: `Discard class ${job!.classId}` }).click();
    const reason = page.getByLabel(/Why discard the enrollment/);
    await reason.fill('test: wrong person');
    await page.getByRole('button', { name: 'Discard enrollment' }).click();
    await page.waitForFunction((id) => [...document.querySelectorAll('tr')].some((tr) => tr.textContent?.includes(id) && tr.textContent.includes('Discarded')), job!.classId, { timeout: 10_000 });
    expect((await station.listJobs()).find((entry) => entry.id === job!.id)?.state).toBe('discarded');
  });

  it('Settings saves the endpoint, takes the key write-only, and shows the doctor report', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('BWS endpoint').fill('http://127.0.0.1:9');
    await page.getByLabel('Client ID').fill('station-e2e');
    await page.getByLabel('Client key').fill('c2VjcmV0LWtleS1mb3ItdGVzdHM=');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Client key').inputValue()).toBe('');
    expect(await page.getByLabel('Client key').getAttribute('placeholder')).toMatch(/A key is set/);
    const views = await station.getSettings();
    expect(views.find((view) => view.name === 'endpoint')?.value).toBe('http://127.0.0.1:9');
    expect(JSON.stringify(views)).not.toContain('c2VjcmV0LWtleS1mb3ItdGVzdHM=');

    await page.getByRole('button', { name: 'Run station check' }).click();
    const table = page.locator('table.doctor');
    await table.waitFor({ timeout: 50_000 });
    const rows = await table.locator('tbody tr').count();
    expect(rows).toBeGreaterThan(3);
    expect(await table.textContent()).toMatch(/onnxruntime-node/);
    await page.screenshot({ path: path.join(SCREENS, 'renderer-settings.png'), fullPage: true });
  });

  it('moves between screens with the keyboard and breaks no CSP rule', async () => {
    await page.getByRole('tab', { name: 'Settings' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Capture' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Queue' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('heading', { name: 'Queue', level: 2 }).waitFor();
    expect(problems).toEqual([]);
  });
});
