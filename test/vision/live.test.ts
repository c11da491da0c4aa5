import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveGuidanceSchema, type LiveFrame, type LiveGuidance } from '../../src/shared/schemas.js';
import { type VisionEngine, createVisionEngine } from '../../src/engine/vision/index.js';
import { readFace } from './helpers.js';

/**
 * The live fast path on 640x480 RGBA frames cut from a shared photo: well framed, shifted, shrunk, rotated.
 * Frames are built the way a camera would deliver them (raw RGBA, no JPEG round trip).
 */
let engine: VisionEngine;
let eyeMid: { x: number; y: number };
const SCALE_HEIGHT = 900;
let photo: Buffer;

beforeAll(async () => {
  engine = await createVisionEngine();
  photo = await sharp(readFace('obama.jpg')).resize({ height: SCALE_HEIGHT }).png().toBuffer();
  const analysis = await engine.analyzeStill(photo, { embedding: false });
  const face = analysis.faces[analysis.primary!]!;
  eyeMid = { x: (face.leftEye.x + face.rightEye.x) / 2, y: (face.leftEye.y + face.rightEye.y) / 2 };
});
afterAll(() => engine?.close());

/** A 640x480 frame with the eye midpoint at (x, y), the photo scaled by `scale`, then rotated by `angle`. */
async function frame(x = 320, y = 200, scale = 1, angle = 0): Promise<LiveFrame> {
  const pad = 1200;
  let image = sharp(await sharp(photo).resize({ height: Math.round(SCALE_HEIGHT * scale) }).png().toBuffer())
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#7f7f7f' });
  image = sharp(await image.png().toBuffer()).extract({ left: Math.round(pad + eyeMid.x * scale - x), top: Math.round(pad + eyeMid.y * scale - y), width: 640, height: 480 });
  if (angle !== 0) image = sharp(await image.png().toBuffer()).rotate(angle, { background: '#7f7f7f' }).resize(640, 480, { fit: 'cover' });
  const { data, info } = await image.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

async function guide(f: LiveFrame): Promise<LiveGuidance> {
  return liveGuidanceSchema.parse(await engine.analyzeFrame(f));
}

const checks = (g: LiveGuidance): string[] => g.prompts.map((p) => p.check);

describe('live guidance', () => {
  let centred: LiveGuidance;

  it('a well-framed frame is ready, with no position or size prompts', async () => {
    centred = await guide(await frame());
    expect(centred.faceFound).toBe(true);
    expect(centred.ready).toBe(true);
    expect(checks(centred)).not.toContain('eyeLinePosition');
    expect(checks(centred)).not.toContain('interEyeDistance');
    expect(centred.frameScore).toBeGreaterThan(0.3);
    expect(centred.pose).not.toBeNull();
  });

  it('shifted frames ask the person to move, toward the right side, and score lower', async () => {
    const toImageLeft = await guide(await frame(110));
    const toImageRight = await guide(await frame(530));
    for (const g of [toImageLeft, toImageRight]) {
      expect(g.ready).toBe(false);
      expect(checks(g)).toContain('eyeLinePosition');
      expect(g.frameScore).toBeLessThan(centred.frameScore);
    }
    // Camera view, not mirrored: a face on the image's left stands too far to the person's own right.
    expect(toImageLeft.prompts.find((p) => p.check === 'eyeLinePosition')!.message).toMatch(/your left/);
    expect(toImageRight.prompts.find((p) => p.check === 'eyeLinePosition')!.message).toMatch(/your right/);
    expect(toImageLeft.prompts.every((p) => p.audience === 'subject')).toBe(true);
  });

  it('a shrunk frame asks the person to come closer', async () => {
    const far = await guide(await frame(320, 200, 0.45));
    expect(far.faceFound).toBe(true);
    expect(far.ready).toBe(false);
    expect(checks(far)).toContain('interEyeDistance');
    expect(far.prompts.find((p) => p.check === 'interEyeDistance')!.message).toMatch(/closer/);
  });

  it('a face much too large asks the person to move back', async () => {
    const near = await guide(await frame(320, 200, 2.2));
    expect(near.faceFound).toBe(true);
    expect(checks(near)).toContain('headSize');
    expect(near.ready).toBe(false);
  });

  it('a face a little high is an operator hint that does not block capture (the stored crop is made by the station); cut off at the edge blocks', async () => {
    const high = await guide(await frame(320, 95));
    expect(high.faceFound).toBe(true);
    expect(high.prompts.filter((p) => p.check === 'eyeLinePosition')).toEqual([{ check: 'eyeLinePosition', code: 'cameraLower', message: expect.stringMatching(/too high/), audience: 'operator' }]);
    expect(high.ready).toBe(true);
    const low = await guide(await frame(320, 410));
    expect(low.prompts.find((p) => p.check === 'eyeLinePosition')).toMatchObject({ code: 'cameraHigher', audience: 'operator' });
    expect(low.ready).toBe(false);
  });

  it('without a face the oval is the ideal placement, sized by the live distance rule for the frame', async () => {
    // 640x480: the inter-eye distance in the middle of the envelope (sqrt(0.09 * 0.3) * 640 = 105 px).
    const empty = await guide({ width: 640, height: 480, data: new Uint8Array(640 * 480 * 4).fill(90) });
    expect(empty.faceFound).toBe(false);
    expect(empty.target).toEqual({ cx: 320, cy: 222.6, rx: 120.9, ry: 157.7 });
    const wide = await guide({ width: 640, height: 360, data: new Uint8Array(640 * 360 * 4).fill(90) });
    // 640x360: the head-and-shoulders portrait must fit the height, so the oval is smaller.
    expect(wide.target!.ry).toBeLessThan(empty.target!.ry * 0.85);
    expect(wide.target!.cy + wide.target!.ry).toBeLessThan(360);
  });

  it('the oval and the words agree: a face told it is ready sits in the oval, a face outside it is told where to go', async () => {
    // The whole shared portrait as the e2e fake camera shows it (385x480, the face high in the picture), and
    // placements the gate lets through (high, off-centre) or not (too far aside, too small, too large).
    const { data, info } = await sharp(readFace('obama.jpg')).resize({ height: 480 }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const cases: Record<string, LiveGuidance> = {
      centred: await guide(await frame()),
      portraitCamera: await guide({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }),
      high: await guide(await frame(320, 95)),
      low: await guide(await frame(320, 330)),
      offCentre: await guide(await frame(230, 200)),
      tooFarAside: await guide(await frame(110)),
      tooSmall: await guide(await frame(320, 200, 0.45)),
      tooLarge: await guide(await frame(320, 200, 2.2)),
    };
    // The gate lets these through (the station crops the stored portrait itself)...
    for (const name of ['centred', 'portraitCamera', 'high', 'offCentre']) expect(cases[name]!.ready, name).toBe(true);
    for (const [name, g] of Object.entries(cases)) {
      expect(g.faceFound, name).toBe(true);
      const [x1, y1, x2, y2] = g.box!;
      const oval = g.target!;
      // Face box centre from the oval's centre, in oval radii; box height over the oval's height.
      const offset = Math.hypot(((x1 + x2) / 2 - oval.cx) / oval.rx, ((y1 + y2) / 2 - oval.cy) / oval.ry);
      const size = (y2 - y1) / (2 * oval.ry);
      const inOval = offset < 0.25 && size > 0.6 && size < 1.1;
      const fit = { name, offset: Number(offset.toFixed(2)), size: Number(size.toFixed(2)) };
      if (g.ready) {
        // ...so the oval is drawn around the face: "Perfect" and the oval never disagree.
        expect({ ...fit, inOval }).toEqual({ ...fit, inOval: true });
      } else if (!inOval) {
        // A face outside its oval is told how to get in (the person), or the camera is to be moved (the operator).
        expect(g.prompts.filter((p) => ['interEyeDistance', 'headSize', 'eyeLinePosition'].includes(p.check)).length, name).toBeGreaterThan(0);
      }
    }
    // Where the face is not accepted, the oval shows where it has to go: bigger for "come closer", smaller for
    // "move back", toward the middle for "move to the side".
    const sizeOf = (g: LiveGuidance) => g.box![3] - g.box![1];
    expect(2 * cases.tooSmall!.target!.ry).toBeGreaterThan(1.15 * sizeOf(cases.tooSmall!));
    expect(2 * cases.tooLarge!.target!.ry).toBeLessThan(0.9 * sizeOf(cases.tooLarge!));
    expect(cases.tooFarAside!.target!.cx - (cases.tooFarAside!.box![0] + cases.tooFarAside!.box![2]) / 2).toBeGreaterThan(40);
  });

  it('rotated frames read as roll of the matching sign and ask for a level head', async () => {
    const cw = await guide(await frame(320, 240, 1, 28));
    const ccw = await guide(await frame(320, 240, 1, -28));
    for (const g of [cw, ccw]) {
      expect(g.faceFound).toBe(true);
      expect(checks(g)).toContain('headPoseRoll');
      expect(g.ready).toBe(false);
      expect(g.frameScore).toBeLessThan(centred.frameScore);
    }
    expect(Math.sign(cw.pose!.roll)).toBe(-Math.sign(ccw.pose!.roll));
    expect(Math.abs(cw.pose!.roll - ccw.pose!.roll)).toBeGreaterThan(35);
  });

  it('a frame without a face asks the person to step in', async () => {
    const { data, info } = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 25 } } }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const g = await guide({ width: info.width, height: info.height, data: new Uint8Array(data) });
    expect(g.faceFound).toBe(false);
    expect(g.ready).toBe(false);
    expect(g.frameScore).toBe(0);
    expect(g.prompts[0]!.audience).toBe('subject');
  });

  it('a malformed frame is refused with a coded error', async () => {
    await expect(engine.analyzeFrame({ width: 640, height: 480, data: new Uint8Array(100) })).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
    await expect(engine.analyzeFrame({ width: 1280, height: 720, data: new Uint8Array(1280 * 720 * 4) })).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
  });
});
