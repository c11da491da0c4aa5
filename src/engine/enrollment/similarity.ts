/** Cosine similarity of two L2-normalised embeddings (a plain dot product, clamped to [-1, 1]). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`embedding sizes differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  for (let i = 0; i < a.length; i += 1) dot += (a[i] as number) * (b[i] as number);
  return Math.max(-1, Math.min(1, dot));
}

/** The lowest similarity over all pairs: the "do all these photos show one person" figure. */
export function weakestPair(embeddings: ReadonlyArray<ArrayLike<number>>): { score: number; i: number; j: number } | null {
  let worst: { score: number; i: number; j: number } | null = null;
  for (let i = 0; i < embeddings.length; i += 1) {
    for (let j = i + 1; j < embeddings.length; j += 1) {
      const score = cosine(embeddings[i]!, embeddings[j]!);
      if (!worst || score < worst.score) worst = { score, i, j };
    }
  }
  return worst;
}
