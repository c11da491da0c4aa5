import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VisionEngine, createVisionEngine } from '../../src/engine/vision/index.js';
import { liveGuidanceSchema, type LiveFrame } from '../../src/shared/schemas.js';
import { photoNames, readFace } from './helpers.js';

/**
 * Chromium's fake camera (`--use-fake-device-for-media-stream` without a video file) shows a test pattern: a
 * plain bright-green disc with a turning wedge cut out, on a plain green background, a small clock in a
 * corner and bright corner squares. The detector scores that disc up to 0.95 when the wedge is narrow (it
 * reads as a face with a mouth), and its landmarks pass the geometric sanity test, so the pattern used to be
 * reported as a face now and then. The frames here are drawn the same way, at the size the preview sends.
 */
let engine: VisionEngine;
beforeAll(async () => {
  engine = await createVisionEngine();
});
afterAll(() => engine?.close());

/** The pattern at one wedge angle (degrees, 0 = wedge pointing right; `opening` its width). */
async function patternFrame(angle: number, opening: number, width = 640, height = 360): Promise<LiveFrame> {
  const r = height / 4;
  const cx = width / 2;
  const cy = height / 2;
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const start = { x: cx + r * Math.cos(rad(angle + opening / 2)), y: cy - r * Math.sin(rad(angle + opening / 2)) };
  const end = { x: cx + r * Math.cos(rad(angle - opening / 2)), y: cy - r * Math.sin(rad(angle - opening / 2)) };
  const corner = height / 9;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#008700"/>
    <path d="M ${cx} ${cy} L ${start.x} ${start.y} A ${r} ${r} 0 1 0 ${end.x} ${end.y} Z" fill="#4aff16"/>
    <rect x="0" y="0" width="${corner}" height="${corner}" fill="#00ff00"/><rect x="${width - corner}" y="0" width="${corner}" height="${corner}" fill="#00ff00"/>
    <rect x="0" y="${height - corner}" width="${corner}" height="${corner}" fill="#00ff00"/><rect x="${width - corner}" y="${height - corner}" width="${corner}" height="${corner}" fill="#00ff00"/>
    <text x="${corner - 8}" y="${corner / 2}" font-family="sans-serif" font-size="12" fill="#44ff14">00:00:43:900 878</text>
  </svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

describe("Chromium's fake-camera test pattern", () => {
  it('is never a face on the live path, whichever way the wedge turns', async () => {
    const found: string[] = [];
    for (let angle = 0; angle < 360; angle += 15) {
      for (const opening of [6, 12, 25, 50]) {
        const guidance = liveGuidanceSchema.parse(await engine.analyzeFrame(await patternFrame(angle, opening)));
        if (guidance.faceFound || guidance.box !== null || guidance.prompts[0]?.code !== 'noFace') found.push(`wedge ${opening}° at ${angle}°: ${guidance.prompts[0]?.code}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('is not a face in a still either (a photo taken by hand of the pattern)', async () => {
    const found: string[] = [];
    for (let angle = 0; angle < 360; angle += 30) {
      for (const opening of [6, 12, 25]) {
        const frame = await patternFrame(angle, opening);
        const png = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } }).png().toBuffer();
        const analysis = await engine.analyzeStill(png, { embedding: false });
        if (analysis.faces.length > 0 || analysis.primary !== null || analysis.accepted) found.push(`wedge ${opening}° at ${angle}°`);
      }
    }
    expect(found).toEqual([]);
  });

  it('real faces are still found: every shared photo, also darkened, washed out and as a live frame', async () => {
    for (const name of photoNames) {
      const bytes = readFace(name);
      for (const [variant, image] of [['as is', bytes], ['dark', await sharp(bytes).linear(0.22, 0).jpeg().toBuffer()], ['washed out', await sharp(bytes).linear(1.8, 40).jpeg().toBuffer()]] as const) {
        const analysis = await engine.analyzeStill(image, { embedding: false });
        expect(analysis.primary, `${name} ${variant}`).not.toBeNull();
      }
      const { data, info } = await sharp(bytes).rotate().resize(640, 480, { fit: 'contain', background: '#7f7f7f' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const guidance = await engine.analyzeFrame({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
      expect(guidance.faceFound, `${name} live`).toBe(true);
    }
  });
});
