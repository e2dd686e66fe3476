/**
 * Near misses, in one place: the known word a typo was meant to be (`bakee` → `bake`), and the ids
 * close to an unknown one. Every "did you mean" of the bot (YAML keys, verbs, rollout ids) uses these.
 */

/** The known word a near miss was meant to be: a typo, a swapped pair of letters, or a case slip. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of new Set(known)) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const allowed = key.length >= 5 ? 2 : 1;
  return bestDistance <= allowed ? best : undefined;
}

/**
 * The candidates within a few edits of `word` (two, or a third of its length when longer), nearest
 * first: how an unknown rollout id suggests the ones it may have meant.
 */
export function nearest<T>(word: string, candidates: readonly T[], key: (c: T) => string): T[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return candidates
    .map((candidate) => ({ candidate, d: editDistance(word, key(candidate)) }))
    .filter((c) => c.d <= limit)
    .sort((a, b) => a.d - b.d)
    .map((c) => c.candidate);
}

/** Longest input the distance is computed on: bounds the quadratic work on hostile input. */
const MAX_COMPARED = 64;

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (`stauts`). */
export function editDistance(left: string, right: string): number {
  const a = left.slice(0, MAX_COMPARED);
  const b = right.slice(0, MAX_COMPARED);
  const w = b.length + 1;
  // Row 0 is 0..b.length, column 0 is 0..a.length; the rest is filled in below.
  const d = Array.from({ length: (a.length + 1) * w }, (_, k) => (k < w ? k : k % w === 0 ? k / w : 0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * w + j]! + 1, d[i * w + j - 1]! + 1, d[(i - 1) * w + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[(i - 2) * w + j - 2]! + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.length * w + b.length]!;
}
