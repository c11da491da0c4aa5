import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAPTURE_CONFIG } from '../../src/renderer/features/capture/captureMachine.js';
import { openCaptureSession, until, untilPhotosChecked, type CaptureSession } from './capture-harness.js';

/**
 * Chromium's built-in fake camera (a moving test pattern, no face) in front of the real engine: the person
 * is asked to step in front of the camera, nothing is ever captured, and once the no-face timeout has passed
 * with a class id entered the operator gets advice, including the manual shutter; a photo taken by hand is
 * refused by the stored-image gate in words.
 */
let session: CaptureSession;
const NO_FACE_TIMEOUT = DEFAULT_CAPTURE_CONFIG.noFaceTimeoutMs;
const ADVICE = /No face for a while: check that the camera points at the person/;

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'pattern', viewport: { width: 900, height: 640 } });
}, 240_000);
afterAll(async () => {
  await session?.close();
});

const operatorLine = () => session.page.getByTestId('operator-line').textContent();

describe('no face in front of the camera', { timeout: 240_000 }, () => {
  it('asks the person to step in front of the camera', async () => {
    const { page } = session;
    await until(page, 'the no-face prompt', () => document.querySelector('[data-testid="person-prompt"]')?.textContent === 'Please step in front of the camera and look at it.');
    expect(session.frameStats.analysed).toBeGreaterThan(0);
    // The pattern's plain disc is never taken for a face, not even for one frame: no face box is ever drawn
    // (watched from here on, while the pattern turns through the next test).
    expect(await page.locator('svg.overlay rect.face-box').count()).toBe(0);
    await page.evaluate(() => {
      const seen = { faceBox: false };
      (window as unknown as { faceBoxSeen: typeof seen }).faceBoxSeen = seen;
      new MutationObserver(() => {
        if (document.querySelector('svg.overlay rect.face-box')) seen.faceBox = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    expect(await operatorLine()).not.toMatch(ADVICE);
  });

  it('captures nothing, and advises the operator once the no-face timeout has passed', async () => {
    const { page, station } = session;
    const armedAt = Date.now();
    await page.getByLabel('Class ID').fill('55');
    const analysedBefore = session.frameStats.analysed;
    await until(page, 'the no-face advice', () => /No face for a while/.test(document.querySelector('[data-testid="operator-line"]')?.textContent ?? ''), NO_FACE_TIMEOUT + 120_000);
    expect(Date.now() - armedAt).toBeGreaterThanOrEqual(NO_FACE_TIMEOUT);
    expect(await operatorLine()).toMatch(ADVICE);
    // Chromium's fake device is itself a virtual camera, and the operator is told so alongside.
    expect(await operatorLine()).toMatch(/^Operator: “fake_device_0” is a virtual camera: /);
    // Frames kept flowing and being analysed the whole time; none led to a photo.
    expect(session.frameStats.analysed - analysedBefore).toBeGreaterThan(10);
    expect(await page.getByTestId('photo').count()).toBe(0);
    expect(await page.getByTestId('person-prompt').textContent()).toBe('Please step in front of the camera and look at it.');
    expect(await page.getByTestId('capture-progress').textContent()).toBe('Automatic capture starts when the face is in place and steady.');
    expect(await station.listJobs()).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { faceBoxSeen: { faceBox: boolean } }).faceBoxSeen.faceBox)).toBe(false);
    await session.screenshot('capture-no-face-advice');
  });

  it('a photo taken by hand (Space) is refused in words: no face, the person can fix it', async () => {
    const { page } = session;
    await page.locator('.stage').focus();
    await page.keyboard.press('Space');
    await untilPhotosChecked(page, 1);
    expect(await page.locator('.shot-verdict').textContent()).toBe('Photo 1: cannot be used.');
    expect(await page.locator('ul.checks li').first().textContent()).toMatch(/^Must fix: .+ \(the person can fix this\)/);
    expect(session.problems).toEqual([]);
  });
});
