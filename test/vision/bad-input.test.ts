import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageAnalysisSchema } from '../../src/shared/schemas.js';
import { probe } from '../../src/engine/vision/decode.js';
import { DEFAULT_THRESHOLDS, type StillAnalysis, type VisionEngine, cosine, createVisionEngine } from '../../src/engine/vision/index.js';
import { readFace, tempDir } from './helpers.js';

/**
 * Every bad or unusual input of issue 3, made here with sharp into a temp dir: each gives a coded error with
 * a sentence, or is analysed correctly (colour spaces, bit depths, animation, EXIF rotation, alpha).
 */
let engine: VisionEngine;
let dir: string;
let reference: StillAnalysis;
const obama = readFace('obama.jpg');

async function analyseFile(name: string, bytes: Buffer | Uint8Array): Promise<StillAnalysis> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  const result = await engine.analyzeStill(fs.readFileSync(file), { name });
  const { embeddingVector: _e, landmarks: _l, ...dto } = result;
  imageAnalysisSchema.parse(dto);
  return result;
}

function expectError(result: StillAnalysis, code: string): void {
  expect(result.ok).toBe(false);
  expect(result.accepted).toBe(false);
  expect(result.error?.code).toBe(code);
  // A sentence a person can act on, not a library message.
  expect(result.error!.message.length).toBeGreaterThan(30);
  expect(result.error!.message).toMatch(/\.$/);
}

function expectSameFace(result: StillAnalysis, minCosine = 0.9): void {
  expect(result.ok).toBe(true);
  expect(result.primary).not.toBeNull();
  expect(cosine(result.embeddingVector!, reference.embeddingVector!)).toBeGreaterThan(minCosine);
}

beforeAll(async () => {
  engine = await createVisionEngine();
  dir = tempDir('bad');
  reference = await engine.analyzeStill(obama, { name: 'obama.jpg' });
});
afterAll(async () => {
  await engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('bad input gets a coded error and a sentence', () => {
  it('zero-byte file', async () => expectError(await analyseFile('empty.jpg', Buffer.alloc(0)), 'IMAGE_EMPTY'));

  it('truncated JPEG', async () => expectError(await analyseFile('truncated.jpg', obama.subarray(0, Math.floor(obama.length * 0.6))), 'IMAGE_UNREADABLE'));

  it('a text file named .jpg', async () => expectError(await analyseFile('notes.jpg', Buffer.from('These are meeting notes, not a photo.\n'.repeat(20))), 'IMAGE_UNREADABLE'));

  it('a 1x1 image', async () => {
    const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer();
    expectError(await analyseFile('dot.png', png), 'IMAGE_TOO_SMALL');
  });

  it('a PNG that declares 30000x30000 pixels (decompression bomb) is refused from its header', async () => {
    const png = Buffer.from(await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toBuffer());
    // IHDR data starts at byte 16 (8 signature + 4 length + 4 type); its CRC covers type + data.
    png.writeUInt32BE(30000, 16);
    png.writeUInt32BE(30000, 20);
    png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)) >>> 0, 29);
    // Refused from the declared size: the file holds only 64x64 pixels of data, so a decode would fail
    // differently (truncated data), and 900 million pixels would not fit in memory.
    expectError(await analyseFile('bomb.png', png), 'IMAGE_TOO_MANY_PIXELS');
  });

  it('a file above the size limit', async () => {
    await expect(probe(obama, { ...DEFAULT_THRESHOLDS, maxFileBytes: 100_000 })).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE_FILE' });
  });
});

describe('unusual but valid images are analysed', () => {
  it('16-bit PNG', async () => {
    const png = await sharp(obama).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png).metadata()).depth).toBe('ushort');
    expectSameFace(await analyseFile('deep.png', png), 0.95);
  });

  it('CMYK JPEG', async () => {
    const jpeg = await sharp(obama).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(jpeg).metadata()).space).toBe('cmyk');
    expectSameFace(await analyseFile('cmyk.jpg', jpeg));
  });

  it('grayscale JPEG', async () => {
    const jpeg = await sharp(obama).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(jpeg).metadata()).channels).toBe(1);
    const result = await analyseFile('gray.jpg', jpeg);
    expectSameFace(result, 0.8);
    expect([result.width, result.height]).toEqual([reference.width, reference.height]);
  });

  it('palette PNG', async () => {
    const png = await sharp(obama).png({ palette: true, colours: 128 }).toBuffer();
    expectSameFace(await analyseFile('palette.png', png));
  });

  it('animated GIF: the first frame is analysed', async () => {
    const first = await sharp(obama).resize(455).png().toBuffer();
    const blank = await sharp({ create: { width: 455, height: 569, channels: 3, background: '#404040' } }).png().toBuffer();
    const gif = await sharp([first, blank], { join: { animated: true } }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    expectSameFace(await analyseFile('animated.gif', gif), 0.8);
  });

  it('EXIF-rotated photo is analysed upright', async () => {
    // Store the pixels turned a quarter turn, with orientation 6 ("rotate 90 degrees clockwise to view").
    const stored = await sharp(obama).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const meta = await sharp(stored).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([reference.height, reference.width, 6]);
    const result = await analyseFile('rotated.jpg', stored);
    expectSameFace(result, 0.95);
    expect([result.width, result.height]).toEqual([reference.width, reference.height]);
    const face = result.faces[result.primary!]!;
    const ref = reference.faces[reference.primary!]!;
    expect(Math.hypot(face.leftEye.x - ref.leftEye.x, face.leftEye.y - ref.leftEye.y)).toBeLessThan(4);
    expect(Math.abs(face.pose.roll - ref.pose.roll)).toBeLessThan(3);
  });

  it('alpha: transparent areas are flattened and the face still found', async () => {
    const { width, height } = await sharp(obama).metadata();
    // Opaque except a transparent bottom quarter (below the face), which must flatten to white.
    const { data: rgb } = await sharp(obama).raw().toBuffer({ resolveWithObject: true });
    const rgba = Buffer.alloc(width! * height! * 4);
    const opaqueRows = Math.round((height! * 3) / 4);
    for (let i = 0; i < width! * height!; i++) {
      rgba[i * 4] = rgb[i * 3]!;
      rgba[i * 4 + 1] = rgb[i * 3 + 1]!;
      rgba[i * 4 + 2] = rgb[i * 3 + 2]!;
      rgba[i * 4 + 3] = i < width! * opaqueRows ? 255 : 0;
    }
    const png = await sharp(rgba, { raw: { width: width!, height: height!, channels: 4 } }).png().toBuffer();
    const meta = await sharp(png).metadata();
    expect(meta.hasAlpha).toBe(true);
    expectSameFace(await analyseFile('alpha.png', png), 0.95);
    // Shared PNGs with alpha too.
    for (const name of ['rgba_32bit.png', 'lin_manuel_miranda.png']) expect((await engine.analyzeStill(readFace(name))).primary).not.toBeNull();
  });

  it('an image without a face says "no face" and is not an error', async () => {
    const noise = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).jpeg().toBuffer();
    const result = await analyseFile('noise.jpg', noise);
    expect(result.ok).toBe(true);
    expect(result.faces).toHaveLength(0);
    expect(result.primary).toBeNull();
    expect(result.accepted).toBe(false);
    expect(result.assessments.find((a) => a.check === 'singleFacePresent')!.message).toMatch(/no face/i);
  });

  it('two faces are flagged', async () => {
    const half = await sharp(obama).resize({ height: 800 }).toBuffer();
    const { width } = await sharp(half).metadata();
    const two = await sharp({ create: { width: width! * 2, height: 800, channels: 3, background: '#ffffff' } })
      .composite([{ input: half, left: 0, top: 0 }, { input: await sharp(readFace('biden2.jpg')).resize({ height: 800, width: width!, fit: 'cover' }).toBuffer(), left: width!, top: 0 }])
      .jpeg({ quality: 92 })
      .toBuffer();
    const result = await analyseFile('two.jpg', two);
    const check = result.assessments.find((a) => a.check === 'singleFacePresent')!;
    expect(check.value).toBe(2);
    expect(check.pass).toBe(false);
    expect(result.accepted).toBe(false);
  });

  it('a face cut by the border is flagged', async () => {
    const ref = reference.faces[reference.primary!]!;
    const cutAt = Math.round((ref.leftEye.x + ref.rightEye.x) / 2);
    const cut = await sharp(obama).extract({ left: cutAt, top: 0, width: reference.width - cutAt, height: reference.height }).jpeg({ quality: 95 }).toBuffer();
    const result = await analyseFile('cut.jpg', cut);
    expect(result.ok).toBe(true);
    expect(result.accepted).toBe(false);
    // The half face is still found; the check that names the problem is the visible-face one.
    expect(result.primary).toBe(0);
    expect(result.assessments.find((a) => a.check === 'FullyVisibleFace')).toMatchObject({ pass: false, gating: true, message: expect.stringMatching(/cut off by the edge/) });
  });
});

describe('pose sign conventions', () => {
  it('a horizontally flipped photo flips yaw and roll and swaps the eyes', async () => {
    const original = await engine.analyzeStill(readFace('obama2.jpg'));
    const flipped = await analyseFile('flopped.jpg', await sharp(readFace('obama2.jpg')).flop().jpeg({ quality: 95 }).toBuffer());
    const a = original.faces[original.primary!]!;
    const b = flipped.faces[flipped.primary!]!;
    expect(Math.abs(a.pose.yaw)).toBeGreaterThan(8);
    expect(Math.sign(b.pose.yaw)).toBe(-Math.sign(a.pose.yaw));
    expect(Math.abs(a.pose.yaw + b.pose.yaw)).toBeLessThan(6);
    expect(Math.abs(a.pose.roll + b.pose.roll)).toBeLessThan(4);
    expect(Math.sign(b.pose.roll)).toBe(-Math.sign(a.pose.roll));
    // The subject's left eye is still the one with the larger x after mirroring.
    expect(b.leftEye.x).toBeGreaterThan(b.rightEye.x);
    expect(Math.abs(b.leftEye.x - (original.width - a.rightEye.x))).toBeLessThan(5);
  });
});

describe('crops', () => {
  it('the face thumbnail and the portrait crop contain the face', async () => {
    const thumb = await engine.faceThumbnail(obama, reference, reference.primary!, 160);
    const thumbMeta = await sharp(thumb).metadata();
    expect(thumbMeta.format).toBe('png');
    expect(Math.max(thumbMeta.width!, thumbMeta.height!)).toBeLessThanOrEqual(160);
    const inThumb = await engine.analyzeStill(thumb);
    expect(inThumb.primary).not.toBeNull();
    expect(cosine(inThumb.embeddingVector!, reference.embeddingVector!)).toBeGreaterThan(0.7);

    const portrait = await engine.portraitCrop(readFace('obama-1080p.jpg'), await engine.analyzeStill(readFace('obama-1080p.jpg')), 1200);
    const meta = await sharp(portrait).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width!).toBeLessThanOrEqual(1200);
    expect(meta.height!).toBeLessThanOrEqual(1600);
    expect(meta.width! / meta.height!).toBeCloseTo(0.75, 1);
    const inPortrait = await engine.analyzeStill(portrait, { profile: 'icao' });
    expect(inPortrait.primary).not.toBeNull();
    expect(cosine(inPortrait.embeddingVector!, reference.embeddingVector!)).toBeGreaterThan(0.7);
    const face = inPortrait.faces[inPortrait.primary!]!;
    const eyeLine = (face.leftEye.y + face.rightEye.y) / 2 / meta.height!;
    expect(eyeLine).toBeGreaterThan(0.3);
    expect(eyeLine).toBeLessThan(0.5);
  });
});
