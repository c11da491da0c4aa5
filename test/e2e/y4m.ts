import fs from 'node:fs';
import sharp from 'sharp';

/**
 * Writes a Y4M video (4:2:0, full-range BT.601 as C420jpeg says) from a photo, for Chromium's
 * --use-file-for-fake-video-capture: the fake camera then shows that person, looping. Width and height are
 * made even, as 4:2:0 needs. With `frames` > 1, each frame gets its own faint sensor noise (+-2 levels of
 * luma), as a real camera's frames do, so two stills are never byte-identical.
 */
export async function writeY4m(photo: string, target: string, maxWidth = 1280, frames = 1): Promise<{ width: number; height: number }> {
  const upright = await sharp(photo).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const scale = Math.min(1, maxWidth / upright.info.width);
  const width = Math.floor((upright.info.width * scale) / 2) * 2;
  const height = Math.floor((upright.info.height * scale) / 2) * 2;
  const rgb = await sharp(upright.data, { raw: upright.info }).resize(width, height, { fit: 'fill' }).raw().toBuffer();
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
  for (let row = 0; row < height; row += 1) {
    for (let col = 0; col < width; col += 1) {
      const i = (row * width + col) * 3;
      y[row * width + col] = clamp(0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
    }
  }
  for (let row = 0; row < height; row += 2) {
    for (let col = 0; col < width; col += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
        const i = ((row + dy) * width + col + dx) * 3;
        r += rgb[i]!;
        g += rgb[i + 1]!;
        b += rgb[i + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const k = (row / 2) * (width / 2) + col / 2;
      u[k] = clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
      v[k] = clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
    }
  }
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`)];
  let seed = 1;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed % 5) - 2;
  };
  for (let frame = 0; frame < frames; frame += 1) {
    const luma = frame === 0 ? y : Buffer.from(y.map((value) => clamp(value + noise())));
    parts.push(Buffer.from('FRAME\n'), luma, u, v);
  }
  fs.writeFileSync(target, Buffer.concat(parts));
  return { width, height };
}
