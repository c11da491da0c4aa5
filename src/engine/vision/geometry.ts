/** Small 2-D geometry: points, the least-squares similarity transform, affine maps. */
export interface Point {
  x: number;
  y: number;
}

/** [a, b, tx, c, d, ty]: x' = a x + b y + tx, y' = c x + d y + ty. */
export type Affine = [number, number, number, number, number, number];

/**
 * Least-squares similarity (rotation, uniform scale, translation; never a reflection) mapping `src` onto
 * `dst` (Umeyama's method; in 2-D it has this closed form).
 */
export function similarity(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]!.x; sy += src[i]!.y; dx += dst[i]!.x; dy += dst[i]!.y;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]!.x - sx, py = src[i]!.y - sy;
    const qx = dst[i]!.x - dx, qy = dst[i]!.y - dy;
    num1 += px * qx + py * qy;
    num2 += px * qy - py * qx;
    den += px * px + py * py;
  }
  const a = den > 0 ? num1 / den : 1;
  const b = den > 0 ? num2 / den : 0;
  // [a -b; b a] is scale * rotation.
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

export function invert(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

export function apply(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
