import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import react from '@vitejs/plugin-react';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStationClient, serveStationApi } from '../../src/engine/host/rpc.js';
import { nodePortTransport } from '../../src/engine/host/transport.js';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { createStation, type Station } from '../../src/engine/station.js';
import { forwardFramesTo, startBridgeServer } from './bridge-server.js';
import { writeY4m } from './y4m.js';

/**
 * The renderer in real Chromium (Debian's, driven by playwright-core) against the real engine: the built
 * renderer is served on 127.0.0.1 with the app's CSP, a test bridge stands in for the preload, and every
 * call goes bridge -> HTTP -> the station RPC (validated at the engine port) -> createStation() with a real
 * encrypted queue and the ONNX models. The camera is Chromium's fake device playing a shared face photo.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FACE = path.resolve(repo, '../shared/faces/obama-720p.jpg');
const results = path.join(repo, 'test-results');

let work: string;
let station: Station;
let context: BrowserContext;
let page: Page;
let server: Awaited<ReturnType<typeof startBridgeServer>>;
let frameForwarder: ReturnType<typeof forwardFramesTo>;
const channel = new MessageChannel();
const problems: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. The browser tests drive Debian's chromium: run "apt-get install -y chromium" (.ci/run does this), or set CHROMIUM_PATH.`);
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-e2e-'));
  const rendererDir = path.join(work, 'renderer');
  // Its own build of the renderer (the bundle test owns out/), with the app's real Vite settings.
  await build({ configFile: false, logLevel: 'warn', root: path.join(repo, 'src/renderer'), base: './', plugins: [react()], build: { outDir: rendererDir, emptyOutDir: true } });

  station = await createStation({ dataDir: path.join(work, 'data'), keyProvider: new HeadlessKeyProvider({ envKey: randomBytes(32).toString('base64') }), env: {} });
  serveStationApi(nodePortTransport(channel.port1), station);
  const client = createStationClient(nodePortTransport(channel.port2));
  // Live frames take their own path (the frame port), to the engine's frame server.
  frameForwarder = forwardFramesTo((frame) => station.analyzeFrame(frame));
  server = await startBridgeServer(rendererDir, client, { frames: frameForwarder.forward });

  const video = path.join(work, 'face.y4m');
  await writeY4m(FACE, video);
  context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  fs.mkdirSync(results, { recursive: true });
  await page.goto(`${server.url}/index.html`);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  frameForwarder?.close();
  channel.port1.close();
  channel.port2.close();
  await station?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('renderer in Chromium', { timeout: 150_000 }, () => {
  it('opens on Capture (the capture flows have their own files: capture-*.test.ts)', async () => {
    await page.getByRole('heading', { name: 'Capture', level: 2 }).waitFor();
    expect(await page.getByRole('tab', { name: 'Capture' }).getAttribute('aria-selected')).toBe('true');
  });

  it('Queue lists the jobs from the engine and a discard (with a reason) updates the table', async () => {
    // Queue one of the shared photos, the way the CLI would.
    const bytes = fs.readFileSync(path.resolve(repo, '../shared/faces/obama.jpg'));
    await station.enroll({ classId: '4242', images: [{ name: 'obama.jpg', bytes: new Uint8Array(bytes) }], force: false });
    const [job] = await station.listJobs();
    expect(job).toBeDefined();
    await page.getByRole('tab', { name: 'Queue' }).click();
    await page.getByRole('heading', { name: 'Queue', level: 2 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: job!.classId });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.state').textContent()).toBe('Waiting to send');
    await page.screenshot({ path: path.join(results, 'renderer-queue.png') });

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
    await page.screenshot({ path: path.join(results, 'renderer-settings.png'), fullPage: true });
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
