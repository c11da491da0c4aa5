/**
 * Live guidance through the browser harness (Debian's Chromium, fake camera from a shared photo, the built
 * renderer under the app's CSP, frames over the frame path to the real engine) next to the engine's bare fast
 * path on the same frames in the same run: `station.analyzeFrame` called directly, one frame after another.
 *
 * Rounds alternate (browser window, then engine window) so that load from other work hits both alike. The
 * renderer records each round trip as the User Timing measure `station:guidance` (its `detail.engineMs` is
 * the engine's own analysis time) and the scaling and read-back of the picture as `station:frame-grab`. CPU
 * time per update (this process and Chromium's, from /proc) is printed too: under load it is far steadier than
 * wall time, which then mostly measures waiting for a core.
 *
 * Env: BENCH_ROUNDS (3), BENCH_WINDOW_MS (10000), BENCH_CAMERA (a photo in ../shared/faces, obama-720p.jpg),
 * BENCH_CAMERA_WIDTH (1280: the fake camera's width; live frames are scaled to <= 640x480 in the page).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { LiveFrame } from '../src/shared/schemas.js';
import { openCaptureSession, until } from '../test/e2e/capture-harness.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 10_000);
const CAMERA = process.env.BENCH_CAMERA ?? 'obama-720p.jpg';
const CAMERA_WIDTH = Number(process.env.BENCH_CAMERA_WIDTH ?? 1280);

const quantile = (values: number[], q: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const load = () => os.loadavg().map((value) => value.toFixed(2)).join(', ');

/**
 * CPU seconds used so far by each of this process's descendants (Chromium's processes), by pid, with the
 * process's kind (renderer, gpu-process for the software compositor, the camera's video_capture service, ...),
 * from /proc (Linux). This process's own (the engine, its ONNX threads and the harness's HTTP bridge) comes
 * from process.cpuUsage(). Under load, wall time mostly measures waiting for a core; CPU time per update does
 * not, so it says what an idle two-core machine would do. Empty where /proc is not there.
 */
type CpuSnapshot = Map<number, { seconds: number; kind: string }>;
function chromiumCpu(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  if (!fs.existsSync('/proc/self/stat')) return snapshot;
  const tick = 100; // USER_HZ on Linux
  const parent = new Map<number, number>();
  const found = new Map<number, { seconds: number; kind: string }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      // Chromium rewrites its command line as one space-separated string.
      const args = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split(/[\0 ]/);
      const type = args.find((arg) => arg.startsWith('--type='))?.slice('--type='.length) ?? 'browser';
      const service = args.find((arg) => arg.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length).split('.')[0];
      found.set(Number(name), { seconds: (Number(fields[11]) + Number(fields[12])) / tick, kind: service ?? type });
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let current = parent.get(pid) ?? 0, hops = 0; current > 1 && hops < 64; current = parent.get(current) ?? 0, hops += 1) if (current === process.pid) return true;
    return false;
  };
  for (const [pid, entry] of found) if (inTree(pid) && entry.kind !== 'zygote') snapshot.set(pid, entry);
  return snapshot;
}
/**
 * Chromium's CPU seconds since `from`, by process kind. Per process, so that a process that ended (the camera
 * service when the camera stops) does not take its whole past off the total; only its last moments are missed.
 */
function chromiumCpuSince(from: CpuSnapshot): Map<string, number> {
  const byKind = new Map<string, number>();
  for (const [pid, { seconds, kind }] of chromiumCpu()) byKind.set(kind, (byKind.get(kind) ?? 0) + seconds - (from.get(pid)?.seconds ?? 0));
  return byKind;
}
const total = (byKind: Map<string, number>) => [...byKind.values()].reduce((sum, value) => sum + value, 0);
function addTo(sum: Map<string, number>, add: Map<string, number>): void {
  for (const [kind, seconds] of add) sum.set(kind, (sum.get(kind) ?? 0) + seconds);
}
const ownCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

interface PageSink {
  guidance: Array<{ start: number; duration: number; engineMs: number }>;
  grab: number[];
  /** How the page read its frames (frameGrab.ts): VideoFrame, or the canvas fallback. */
  methods: string[];
}

interface BrowserWindow {
  updates: number;
  seconds: number;
  /** CPU seconds during the windows: Chromium's processes (by kind), and this process (engine + bridge). */
  chromiumCpu: Map<string, number>;
  nodeCpu: number;
  latency: number[];
  engine: number[];
  grab: number[];
  methods: Set<string>;
}

export async function main(): Promise<void> {
  const recorded: LiveFrame[] = [];
  const session = await openCaptureSession({
    camera: CAMERA,
    maxCameraWidth: CAMERA_WIDTH,
    frames: 30,
    viewport: { width: 1280, height: 800 },
    onFrame: (frame) => {
      if (recorded.length < 90) recorded.push(frame);
    },
  });
  const { page, station } = session;
  const browser: BrowserWindow = { updates: 0, seconds: 0, chromiumCpu: new Map(), nodeCpu: 0, latency: [], engine: [], grab: [], methods: new Set() };
  const bare = { frames: 0, seconds: 0, cpu: 0, chromiumCpu: new Map<string, number>(), times: [] as number[] };
  try {
    console.log(`bench:live: ${ROUNDS} rounds of ${WINDOW_MS / 1000} s each way; camera ${CAMERA} at ${CAMERA_WIDTH} px wide; ${os.cpus().length} cores; load average ${load()} at start`);
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Browser: the capture screen streaming, no class id (guidance only, nothing captured).
      await page.locator('#tab-capture').click();
      await until(page, 'live guidance', () => document.querySelector('svg.overlay rect.face-box') !== null, 120_000).catch(async (error: unknown) => {
        console.error(`the page showed: ${await page.locator('#root').innerText().catch(() => '?')} (see test-results/screens/bench-failure.png)`);
        await session.screenshot('bench-failure');
        throw error;
      });
      await page.evaluate(() => {
        const sink: PageSink = { guidance: [], grab: [], methods: [] };
        (window as unknown as { __bench: PageSink }).__bench = sink;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            if (entry.name === 'station:guidance') sink.guidance.push({ start: entry.startTime, duration: entry.duration, engineMs: ((entry as PerformanceMeasure).detail as { engineMs?: number } | null)?.engineMs ?? NaN });
            else if (entry.name === 'station:frame-grab') {
              sink.grab.push(entry.duration);
              const method = ((entry as PerformanceMeasure).detail as { method?: string } | null)?.method ?? 'unknown';
              if (!sink.methods.includes(method)) sink.methods.push(method);
            }
          }
        }).observe({ type: 'measure' });
      });
      const from = Date.now();
      const chromiumFrom = chromiumCpu();
      const nodeFrom = ownCpuSeconds();
      await page.waitForTimeout(WINDOW_MS);
      addTo(browser.chromiumCpu, chromiumCpuSince(chromiumFrom));
      browser.nodeCpu += ownCpuSeconds() - nodeFrom;
      const sink: PageSink = await page.evaluate(() => (window as unknown as { __bench: PageSink }).__bench);
      const seconds = (Date.now() - from) / 1000;
      browser.updates += sink.guidance.length;
      browser.seconds += seconds;
      browser.latency.push(...sink.guidance.map((entry) => entry.duration));
      browser.engine.push(...sink.guidance.map((entry) => entry.engineMs).filter((value) => Number.isFinite(value)));
      browser.grab.push(...sink.grab);
      sink.methods.forEach((method) => browser.methods.add(method));
      // The page stops its camera and frames on another screen; then the engine alone, on the frames it was sent.
      await page.locator('#tab-queue').click();
      await page.locator('#panel-queue h2').waitFor();
      const start = performance.now();
      const ownFrom = ownCpuSeconds();
      const idleChromiumFrom = chromiumCpu();
      let index = 0;
      let roundFrames = 0;
      while (performance.now() - start < WINDOW_MS) {
        const frame = recorded[index++ % recorded.length]!;
        const t0 = performance.now();
        await station.analyzeFrame(frame);
        bare.times.push(performance.now() - t0);
        bare.frames += 1;
        roundFrames += 1;
      }
      const roundSeconds = (performance.now() - start) / 1000;
      bare.seconds += roundSeconds;
      bare.cpu += ownCpuSeconds() - ownFrom;
      addTo(bare.chromiumCpu, chromiumCpuSince(idleChromiumFrom));
      console.log(`  round ${round}: browser ${(sink.guidance.length / seconds).toFixed(1)} updates/s, engine alone ${(roundFrames / roundSeconds).toFixed(1)} frames/s; load ${load()}`);
    }
    const frame = recorded[0];
    const rate = browser.updates / browser.seconds;
    const chromium = total(browser.chromiumCpu);
    const perSecond = (seconds: number, over: number) => `${((seconds / over) * 1000).toFixed(0)} ms/s`;
    const bareRate = bare.frames / bare.seconds;
    const lines = [
      `live frames: ${frame ? `${frame.width}x${frame.height} RGBA` : 'none recorded'}`,
      `browser harness: ${rate.toFixed(1)} guidance updates/s; renderer-to-guidance latency median ${ms(quantile(browser.latency, 0.5))}, p90 ${ms(quantile(browser.latency, 0.9))} (${browser.latency.length} updates)`,
      `  of which engine analysis median ${ms(quantile(browser.engine, 0.5))}, p90 ${ms(quantile(browser.engine, 0.9))}; frame grab in the page (${[...browser.methods].join(' and ') || 'none'}: convert, scale, read back) median ${ms(quantile(browser.grab, 0.5))}, p90 ${ms(quantile(browser.grab, 0.9))}`,
      `  the rest (transfer to the engine and back: in this harness an HTTP POST of the raw frame; in the app a MessagePort transfer) median ${ms(quantile(browser.latency, 0.5) - quantile(browser.engine, 0.5))}`,
      `engine alone (station.analyzeFrame on the same frames): ${bareRate.toFixed(1)} frames/s; per frame median ${ms(quantile(bare.times, 0.5))}, p90 ${ms(quantile(bare.times, 0.9))} (${bare.times.length} frames)`,
      `ratio: browser updates/s / engine frames/s = ${(rate / bareRate).toFixed(2)}; latency median browser / engine = ${(quantile(browser.latency, 0.5) / quantile(bare.times, 0.5)).toFixed(2)}`,
      `CPU per update (steady under load): browser path ${ms((1000 * (chromium + browser.nodeCpu)) / browser.updates)} = Chromium ${ms((1000 * chromium) / browser.updates)} + engine and HTTP bridge ${ms((1000 * browser.nodeCpu) / browser.updates)}; engine alone ${ms((1000 * bare.cpu) / bare.frames)}; ratio ${((chromium + browser.nodeCpu) / browser.updates / (bare.cpu / bare.frames)).toFixed(2)}`,
      `  Chromium's CPU per second: ${perSecond(chromium, browser.seconds)} streaming (camera, preview, frames), ${perSecond(total(bare.chromiumCpu), bare.seconds)} on the Queue screen (camera off)`,
      `  streaming, by process: ${[...browser.chromiumCpu].sort((a, b) => b[1] - a[1]).map(([kind, seconds]) => `${kind} ${perSecond(seconds, browser.seconds)}`).join(', ')}`,
      `target: >= 10 guidance updates/s on two cores: ${rate >= 10 ? 'met' : 'not met'} in this run; load average ${load()} at the end`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await session.close();
  }
}
