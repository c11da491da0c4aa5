import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwsClient } from '../../src/engine/bws/client.js';
import { BwsCallError } from '../../src/engine/bws/errors.js';
import { DEFAULT_MAX_CONCURRENT_ANALYSES } from '../../src/engine/bws-local/serve-limits.js';
import { type ServeProcess, face, serveProcess, until } from './helpers.js';

const MB = 1024 * 1024;
const SIDE = 7000;
/** One decoded 49 MP photo: 8-bit RGB. */
const RASTER_BYTES = SIDE * SIDE * 3;

/** A field of /proc/<pid>/status in bytes (VmRSS: resident now, VmHWM: the high-water mark). */
function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) * 1024;
}

// The service runs in its own process (the compiled CLI), so the figures are the service's alone; the kernel's
// per-process counters make them exact (the high-water mark misses no short peak).
describe.runIf(fs.existsSync('/proc/self/clear_refs'))('local service memory through a burst of large images (station bws serve)', () => {
  let server: ServeProcess;
  let client: BwsClient;

  beforeAll(async () => {
    server = await serveProcess();
    client = new BwsClient({ endpoint: `http://127.0.0.1:${server.port}`, ...server.credentials });
    // Models loaded and one ordinary photo analysed: the service as it stands between bursts.
    const warm = await client.enroll('1', [face('obama.jpg')], { deadlineMs: 240_000 });
    expect(warm.response.performed_action).toBe('NEW_TEMPLATE_CREATED');
  }, 300_000);

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it('20 parallel Enrolls of a 49 MP PNG: the peak is bounded by the analyses admitted at once, and the memory is given back when the burst ends', async () => {
    const png = await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png({ compressionLevel: 9 }).toBuffer();
    const pid = server.child.pid!;
    const before = statusBytes(pid, 'VmRSS');
    // "5" resets the high-water mark to the current RSS, so VmHWM below is the burst's peak.
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        client.enroll(String(100 + index), [png], { deadlineMs: 240_000 }).then(
          (result) => String(result.response.performed_action),
          (error: unknown) => (error instanceof BwsCallError ? error.grpcCodeName : String(error)),
        ),
      ),
    );
    const peak = statusBytes(pid, 'VmHWM');
    // A grey field has no face: every admitted request is analysed and fails enrollment; the rest are told busy.
    for (const outcome of outcomes) expect(['ENROLLMENT_FAILED', 'RESOURCE_EXHAUSTED']).toContain(outcome);
    expect(outcomes.filter((outcome) => outcome === 'ENROLLMENT_FAILED').length).toBeGreaterThanOrEqual(DEFAULT_MAX_CONCURRENT_ANALYSES + 1);
    // Less than half of one decoded image may stay resident, and it must within 3 s of the last answer (V8 left
    // the last rasters resident for about 8 s, until its idle-time memory reducer ran).
    const margin = RASTER_BYTES / 2;
    const returned = await until(() => statusBytes(pid, 'VmRSS') <= before + margin, 3000);
    const after = statusBytes(pid, 'VmRSS');
    console.log(`burst of 20 x 49 MP PNG: RSS before ${(before / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB, after ${(after / MB).toFixed(0)} MB`);
    // Each admitted analysis holds its decoded image plus libvips's working memory (measured about 1.2x the
    // raster); 1.7x leaves room for a loaded machine and still fails if a third image were resident.
    expect(peak - before).toBeLessThan(DEFAULT_MAX_CONCURRENT_ANALYSES * 1.7 * RASTER_BYTES);
    expect(returned).toBe(true);
  }, 600_000);
});
