import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import react from '@vitejs/plugin-react';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { createStationClient, serveStationApi } from '../../src/engine/host/rpc.js';
import { nodePortTransport } from '../../src/engine/host/transport.js';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { createStation, type Station } from '../../src/engine/station.js';
import { forwardFramesTo, startBridgeServer } from './bridge-server.js';
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
}

export async function openCaptureSession(options: SessionOptions): Promise<CaptureSession> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. The browser tests drive Debian's chromium: run "apt-get install -y chromium" (.ci/run does this), or set CHROMIUM_PATH.`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-capture-'));
  const rendererDir = path.join(work, 'renderer');
  await build({ configFile: false, logLevel: 'warn', root: path.join(repo, 'src/renderer'), base: './', plugins: [react()], build: { outDir: rendererDir, emptyOutDir: true } });

  const station = await createStation({ dataDir: options.dataDir ?? path.join(work, 'data'), keyProvider: new HeadlessKeyProvider({ envKey: process.env.STATION_TEST_KEY ?? (process.env.STATION_TEST_KEY = randomBytes(32).toString('base64')) }), env: {} });
  for (const [name, value] of Object.entries(options.settings ?? {})) await station.setSetting(name, value);
  const channel = new MessageChannel();
  serveStationApi(nodePortTransport(channel.port1), station);
  const client = createStationClient(nodePortTransport(channel.port2));
  const frames = forwardFramesTo((frame) => station.analyzeFrame(frame));
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
