import { cosine } from '../vision/embed.js';

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
