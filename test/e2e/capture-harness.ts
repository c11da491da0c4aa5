import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createStationClient, serveStationApi } from '../../src/engine/host/rpc.js';
import { nodePortTransport } from '../../src/engine/host/transport.js';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { createStation, type Station } from '../../src/engine/station.js';
import type { LiveFrame } from '../../src/shared/schemas.js';
import { forwardFramesTo, startBridgeServer } from './bridge-server.js';
import { buildRenderer } from './renderer-build.js';
import { writeY4m } from './y4m.js';

/**
 * One browser session against the real engine for the capture flows: the built renderer served on
 * 127.0.0.1 with the app's CSP, the test bridge in place of the preload (requests over HTTP to the station
 * RPC, frames over the frame path to the engine's frame server), Debian's Chromium with a fake camera
 * playing a shared face photo (or Chromium's built-in test pattern, which has no face).
 */
export const repo = path.resolve(import.meta.dirname, '../..');
export const FACES = path.resolve(repo, '../shared/faces');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Every screen and state of a run, as PNGs (git-ignored); the README shows a few of them. */
export const SCREENS = path.join(repo, 'test-results', 'screens');

export interface CaptureSession {
  station: Station;
  page: Page;
  context: BrowserContext;
  /** Frames that reached the engine's frame server, and frames it answered `dropped`. */
  frameStats: { analysed: number; dropped: number };
  /** Problems the page reported (console errors, CSP violations, uncaught errors). */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** A photo in ../shared/faces for the fake camera, or 'pattern' for Chromium's built-in test pattern. */
  camera: string | 'pattern';
  viewport?: { width: number; height: number };
  /** Station settings to store before the page opens. */
  settings?: Record<string, unknown>;
  /** An existing data folder (to share a queue between sessions). */
  dataDir?: string;
  /** Width of the fake camera's picture (default 640) and frames in its loop (default 90: 3 s at 30 fps). */
  maxCameraWidth?: number;
  frames?: number;
  /** The OS's preferred languages, as Electron would report them (default en-US, whatever this machine's locale). */
  systemLocales?: readonly string[];
  /** Sees a copy of every live frame on its way to the engine (the live benchmark replays them). */
  onFrame?: (frame: LiveFrame) => void;
  /** The administrator PIN's clock (the lockout's waiting time), so a test can move it instead of waiting. */
  adminClock?: () => number;
}

/** The renderer bundle: built once per run by the browser project's global setup, else here for this session. */
async function rendererBundle(work: string): Promise<string> {
  if (process.env.VITEST) {
    const { inject } = await import('vitest');
    const provided = inject('rendererDir');
    if (provided) return provided;
  }
  const rendererDir = path.join(work, 'renderer');
  await buildRenderer(rendererDir);
  return rendererDir;
}

export async function openCaptureSession(options: SessionOptions): Promise<CaptureSession> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. The browser tests drive Debian's chromium: run "apt-get install -y chromium" (.ci/run does this), or set CHROMIUM_PATH.`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-capture-'));
  const rendererDir = await rendererBundle(work);

  const station = await createStation({
    dataDir: options.dataDir ?? path.join(work, 'data'),
    keyProvider: new HeadlessKeyProvider({ envKey: process.env.STATION_TEST_KEY ?? (process.env.STATION_TEST_KEY = randomBytes(32).toString('base64')) }),
    env: {},
    systemLocales: options.systemLocales ?? ['en-US'],
    ...(options.adminClock ? { adminPin: { now: options.adminClock } } : {}),
  });
  for (const [name, value] of Object.entries(options.settings ?? {})) await station.setSetting(name, value);
  const channel = new MessageChannel();
  serveStationApi(nodePortTransport(channel.port1), station);
  const client = createStationClient(nodePortTransport(channel.port2));
  const frames = forwardFramesTo((frame) => {
    options.onFrame?.({ width: frame.width, height: frame.height, data: frame.data.slice() });
    return station.analyzeFrame(frame);
  });
  const server = await startBridgeServer(rendererDir, client, { frames: frames.forward });

  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
  if (options.camera !== 'pattern') {
    const video = path.join(work, 'camera.y4m');
    await writeY4m(path.join(FACES, options.camera), video, options.maxCameraWidth ?? 640, options.frames ?? 90);
    args.push(`--use-file-for-fake-video-capture=${video}`);
  }
  const context = await chromium.launchPersistentContext(path.join(work, 'profile'), { executablePath: CHROMIUM, headless: true, viewport: options.viewport ?? { width: 1280, height: 800 }, args });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  fs.mkdirSync(SCREENS, { recursive: true });
  await page.goto(`${server.url}/index.html`);

  return {
    station,
    page,
    context,
    frameStats: frames.stats,
    problems,
    async screenshot(name) {
      const file = path.join(SCREENS, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close().catch(() => undefined);
      await server.close();
      frames.close();
      channel.port1.close();
      channel.port2.close();
      await station.close();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Waits until `predicate` (run in the page) is true; `what` names the condition in the failure. */
export async function until(page: Page, what: string, predicate: () => boolean, timeout = 90_000): Promise<void> {
  try {
    await page.waitForFunction(predicate, undefined, { timeout, polling: 100 });
  } catch (error) {
    throw new Error(`timed out waiting for ${what}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Waits for `count` photos in the review list, each with its thumbnail and a final verdict (not "checking…"). */
export async function untilPhotosChecked(page: Page, count: number, timeout = 120_000): Promise<void> {
  try {
    await page.waitForFunction(
      (wanted) => document.querySelectorAll('[data-testid="photo"] img.shot-thumb').length === wanted && [...document.querySelectorAll('[data-testid="photo"] .shot-verdict')].every((element) => !/…/.test(element.textContent ?? '')),
      count,
      { timeout, polling: 100 },
    );
  } catch (error) {
    const screen = await page
      .evaluate(() => ['person-prompt', 'operator-line', 'capture-progress', 'outcome'].map((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '').concat([...document.querySelectorAll('[data-testid="photo"]')].map((element) => element.textContent ?? '')))
      .catch(() => []);
    throw new Error(`timed out waiting for ${count} checked photo(s): ${(error as Error).message.split('\n')[0]}; the screen said: ${JSON.stringify(screen)}`);
  }
}

/** The element that has the keyboard focus, and whether the station shows it (focus ring drawn). */
export async function focused(page: Page): Promise<{ what: string; visible: boolean }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return { what: 'body', visible: false };
    const style = getComputedStyle(element);
    const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const name = element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40) ?? '';
    return { what: `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className ? `.${String(element.className).split(' ')[0]}` : ''} "${name}"`, visible: element.matches(':focus-visible') && ring };
  });
}
