import { describe, expect, it } from 'vitest';
import { previewSize, shrinkRgba } from '../../src/renderer/features/capture/frameGrab.js';

/** An RGBA picture whose red channel is `red(x, y)`, green 0, blue 200, alpha 0 (to see it set opaque). */
function picture(width: number, height: number, red: (x: number, y: number) => number) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data.set([red(x, y), 0, 200, 0], (y * width + x) * 4);
  return { width, height, data };
}
const reds = (data: Uint8ClampedArray) => [...data].filter((_, i) => i % 4 === 0);

describe('live frame grab', () => {
  it('sizes live frames to fit 640x480 with the camera aspect, never larger than the camera', () => {
    expect(previewSize(1280, 720)).toEqual({ width: 640, height: 360 });
    expect(previewSize(1920, 1080)).toEqual({ width: 640, height: 360 });
    expect(previewSize(640, 798)).toEqual({ width: 385, height: 480 });
    expect(previewSize(320, 240)).toEqual({ width: 320, height: 240 });
  });

  it('halves a picture by averaging each 2x2 block, opaque', () => {
    const source = picture(4, 2, (x, y) => [[0, 10, 100, 200], [20, 30, 100, 0]][y]![x]!);
    const small = shrinkRgba(source, 2, 1);
    expect([...small]).toEqual([15, 0, 200, 255, 100, 0, 200, 255]);
  });

  it('shrinks by a fraction (1280x720 -> 640x360 and a 640x798 portrait -> 385x480) without shifting or losing brightness', () => {
    // A left half dark, right half bright: the edge stays in the middle and the mean stays the same.
    const wide = shrinkRgba(picture(1280, 720, (x) => (x < 640 ? 40 : 220)), 640, 360);
    expect(wide.length).toBe(640 * 360 * 4);
    expect(reds(wide.subarray(0, 640 * 4))).toEqual([...Array<number>(320).fill(40), ...Array<number>(320).fill(220)]);
    const portrait = shrinkRgba(picture(640, 798, (x, y) => (x * 7 + y * 3) % 256), 385, 480);
    expect(portrait.length).toBe(385 * 480 * 4);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const sourceMean = mean(reds(new Uint8ClampedArray(picture(640, 798, (x, y) => (x * 7 + y * 3) % 256).data)));
    expect(Math.abs(mean(reds(portrait)) - sourceMean)).toBeLessThan(1);
    expect([...portrait].filter((_, i) => i % 4 === 3).every((alpha) => alpha === 255)).toBe(true);
  });

  it('copies a picture already at the live size, opaque, and refuses to enlarge one', () => {
    const same = shrinkRgba(picture(3, 2, (x, y) => x + 10 * y), 3, 2);
    expect(reds(same)).toEqual([0, 1, 2, 10, 11, 12]);
    expect(same[3]).toBe(255);
    expect(() => shrinkRgba(picture(3, 2, () => 0), 4, 2)).toThrow(RangeError);
  });
});
