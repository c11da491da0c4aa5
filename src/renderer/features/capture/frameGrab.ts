/**
 * Live frames for the engine: the camera's current picture as RGBA at <= 640x480, taken from the preview's
 * <video> element without drawing it.
 *
 * A 2D canvas (drawImage, then getImageData) converts the whole camera frame to RGB, scales it with Skia and
 * copies it back: about 12 ms for a 1280x720 camera on a 2-core machine without a GPU. Instead the frame is
 * wrapped as a WebCodecs VideoFrame (no copy), converted to RGBA by the browser (VideoFrame.copyTo, about
 * 3 ms) and averaged down here in one pass (about 4 ms for 1280x720): about half the work, off the compositor.
 * Browsers without VideoFrame, or without RGBA conversion in copyTo, and rotated frames use the canvas.
 */

const MAX_WIDTH = 640;
const MAX_HEIGHT = 480;

/** Scales the camera size down to fit 640x480 (never up), keeping the aspect ratio. */
export function previewSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_WIDTH / width, MAX_HEIGHT / height);
  return { width: Math.max(16, Math.round(width * scale)), height: Math.max(16, Math.round(height * scale)) };
}

export interface RgbaPicture {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** How a live frame was read: through a WebCodecs VideoFrame, or drawn on a 2D canvas (the fallback). */
export type GrabMethod = 'videoFrame' | 'canvas';

/**
 * Shrinks an RGBA picture to `width` x `height` (each no larger than the source's) by averaging every source
 * pixel into the target pixel it falls in (a box filter: a 2x reduction averages 2x2 blocks, as bilinear
 * sampling between pixel centres does). Alpha is set opaque. Returns a new array, ready to be transferred.
 */
export function shrinkRgba(source: RgbaPicture, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  if (width > source.width || height > source.height || width < 1 || height < 1) throw new RangeError(`cannot shrink ${source.width}x${source.height} to ${width}x${height}`);
  const target = new Uint8ClampedArray(width * height * 4);
  const src = source.data;
  if (width === source.width && height === source.height) {
    target.set(src.subarray(0, target.length));
    for (let i = 3; i < target.length; i += 4) target[i] = 255;
    return target;
  }
  if (source.width === 2 * width && source.height === 2 * height) {
    halve(src, source.width, target, width, height);
    return target;
  }
  // Which target column each source column adds to, and how many source columns each target column has.
  const column = new Int32Array(source.width);
  const columns = new Int32Array(width);
  for (let x = 0; x < source.width; x += 1) {
    const to = Math.min(width - 1, Math.floor((x * width) / source.width));
    column[x] = to;
    columns[to]! += 1;
  }
  const sums = new Uint32Array(width * 3);
  let y = 0;
  for (let row = 0; row < height; row += 1) {
    const end = row === height - 1 ? source.height : Math.floor(((row + 1) * source.height) / height);
    const rows = end - y;
    sums.fill(0);
    for (; y < end; y += 1) {
      let i = y * source.width * 4;
      for (let x = 0; x < source.width; x += 1, i += 4) {
        const k = column[x]! * 3;
        sums[k]! += src[i]!;
        sums[k + 1]! += src[i + 1]!;
        sums[k + 2]! += src[i + 2]!;
      }
    }
    let o = row * width * 4;
    for (let x = 0; x < width; x += 1, o += 4) {
      const count = columns[x]! * rows;
      const half = count >> 1;
      // Rounded to the nearest level (| 0 truncates; the clamped array alone would round halves to even).
      target[o] = ((sums[x * 3]! + half) / count) | 0;
      target[o + 1] = ((sums[x * 3 + 1]! + half) / count) | 0;
      target[o + 2] = ((sums[x * 3 + 2]! + half) / count) | 0;
      target[o + 3] = 255;
    }
  }
  return target;
}

/** The common case, 1280x720 to 640x360: each target pixel averages a 2x2 block (written out: 3x faster). */
function halve(src: Uint8Array | Uint8ClampedArray, sourceWidth: number, target: Uint8ClampedArray, width: number, height: number): void {
  const stride = sourceWidth * 4;
  let o = 0;
  for (let row = 0; row < height; row += 1) {
    let i = 2 * row * stride;
    let j = i + stride;
    for (let col = 0; col < width; col += 1, o += 4, i += 8, j += 8) {
      target[o] = (src[i]! + src[i + 4]! + src[j]! + src[j + 4]! + 2) >> 2;
      target[o + 1] = (src[i + 1]! + src[i + 5]! + src[j + 1]! + src[j + 5]! + 2) >> 2;
      target[o + 2] = (src[i + 2]! + src[i + 6]! + src[j + 2]! + src[j + 6]! + 2) >> 2;
      target[o + 3] = 255;
    }
  }
}

/** The video has a picture (at least its current frame is decoded). */
export const hasPicture = (video: HTMLVideoElement) => video.videoWidth > 0 && video.readyState >= 2;

/**
 * Grabs live frames from a <video>: `grab` resolves with the current picture at previewSize(), or null when
 * the video has no picture yet or, with `onlyNew`, when its frame is the one grabbed last time (known only
 * on the VideoFrame path, by the frame's timestamp). One grabber per stream of frames (it keeps its buffers).
 */
export class FrameGrabber {
  private canvas: HTMLCanvasElement | null = null;
  private context: CanvasRenderingContext2D | null = null;
  private source: Uint8Array<ArrayBuffer> | null = null;
  private lastTimestamp: number | null = null;
  /** Set once VideoFrame turned out unusable here: every later frame goes through the canvas. */
  private canvasOnly = typeof VideoFrame !== 'function';

  async grab(video: HTMLVideoElement, options: { onlyNew?: boolean } = {}): Promise<(RgbaPicture & { method: GrabMethod }) | null> {
    if (!hasPicture(video)) return null;
    const size = previewSize(video.videoWidth, video.videoHeight);
    if (!this.canvasOnly) {
      const picture = await this.fromVideoFrame(video, size, options.onlyNew === true).catch(() => undefined);
      if (picture !== undefined) return picture && { ...picture, method: 'videoFrame' };
      this.canvasOnly = true;
    }
    if (options.onlyNew) return null;
    const picture = this.fromCanvas(video, size);
    return picture && { ...picture, method: 'canvas' };
  }

  /** The picture; null for a frame already grabbed (with `onlyNew`); undefined where this path cannot serve. */
  private async fromVideoFrame(video: HTMLVideoElement, size: { width: number; height: number }, onlyNew: boolean): Promise<RgbaPicture | null | undefined> {
    const frame = new VideoFrame(video);
    try {
      // copyTo ignores rotation and mirroring metadata: such a camera's frames go through the canvas.
      const oriented = frame as VideoFrame & { rotation?: number; flip?: boolean };
      if (!frame.visibleRect || (oriented.rotation ?? 0) !== 0 || oriented.flip === true) return undefined;
      if (onlyNew && frame.timestamp === this.lastTimestamp) return null;
      this.lastTimestamp = frame.timestamp;
      const { width, height } = frame.visibleRect;
      // A browser that ignores the format option would size (and copy) the frame in its own pixel format.
      const bytes = frame.allocationSize({ format: 'RGBA' });
      if (bytes !== width * height * 4) return undefined;
      if (this.source?.byteLength !== bytes) this.source = new Uint8Array(bytes);
      await frame.copyTo(this.source, { format: 'RGBA' });
      const target = { width: Math.min(size.width, width), height: Math.min(size.height, height) };
      return { ...target, data: shrinkRgba({ width, height, data: this.source }, target.width, target.height) };
    } finally {
      frame.close();
    }
  }

  private fromCanvas(video: HTMLVideoElement, size: { width: number; height: number }): RgbaPicture | null {
    if (!this.canvas) {
      this.canvas = document.createElement('canvas');
      this.context = this.canvas.getContext('2d', { willReadFrequently: true });
    }
    if (!this.context) return null;
    if (this.canvas.width !== size.width || this.canvas.height !== size.height) {
      this.canvas.width = size.width;
      this.canvas.height = size.height;
    }
    this.context.drawImage(video, 0, 0, size.width, size.height);
    return { width: size.width, height: size.height, data: this.context.getImageData(0, 0, size.width, size.height).data };
  }
}
