import { cosine, l2normalise } from '../vision/embed.js';

/**
 * The compact template: what Verify and Search compare a probe with. Two forms were measured on the shared
 * photos (`npm run bench:templates`, README "Template lifecycle"):
 *  - 'mean': the L2-normalised mean of the template's vectors (one vector; score = its cosine with the probe);
 *  - 'vectors': every vector (score = the best cosine among them).
 */
export type CompactForm = 'mean' | 'vectors';

/** The form the service stores (see the measurement in the README). */
export const COMPACT_FORM: CompactForm = 'mean';

/** The compact template of a template's L2-normalised feature vectors. */
export function compactTemplate(vectors: readonly Float32Array[], form: CompactForm = COMPACT_FORM): Float32Array[] {
  if (vectors.length === 0) return [];
  if (form === 'vectors') return vectors.map((vector) => Float32Array.from(vector));
  const sum = new Float32Array(vectors[0]!.length);
  for (const vector of vectors) for (let i = 0; i < sum.length; i += 1) sum[i]! += vector[i]!;
  return [l2normalise(sum)];
}

/** Similarity as BWS reports it, 0..1 (a negative cosine counts as no similarity): the best over the compact vectors. */
export function matchScore(probe: Float32Array, compact: readonly Float32Array[]): number {
  let best = 0;
  for (const vector of compact) best = Math.max(best, cosine(probe, vector));
  return Math.min(1, best);
}
