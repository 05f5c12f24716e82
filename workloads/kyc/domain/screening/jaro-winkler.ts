// Jaro and Jaro-Winkler string similarity (0 = nothing in common, 1 = identical), over Unicode code points.

/** Jaro similarity: shared characters within a sliding window, discounted for transpositions. */
export function jaro(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0 && t.length === 0) return 1;
  if (s.length === 0 || t.length === 0) return 0;
  const window = Math.max(Math.floor(Math.max(s.length, t.length) / 2) - 1, 0);
  const sMatched = new Array<boolean>(s.length).fill(false);
  const tMatched = new Array<boolean>(t.length).fill(false);
  let matches = 0;
  for (let i = 0; i < s.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(i + window + 1, t.length);
    for (let j = from; j < to; j++) {
      if (tMatched[j] || s[i] !== t[j]) continue;
      sMatched[i] = true;
      tMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    if (!sMatched[i]) continue;
    while (!tMatched[j]) j++;
    if (s[i] !== t[j]) outOfOrder++;
    j++;
  }
  const transpositions = outOfOrder / 2;
  return (matches / s.length + matches / t.length + (matches - transpositions) / matches) / 3;
}

/**
 * Jaro-Winkler: Jaro boosted by up to 4 characters of common prefix (scale 0.1). As in Winkler's
 * original, the boost applies only when the Jaro score is already above 0.7, so unrelated names that
 * merely share a first letter or two are not pulled up.
 */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  const s = Array.from(a);
  const t = Array.from(b);
  let prefix = 0;
  while (prefix < 4 && prefix < s.length && prefix < t.length && s[prefix] === t[prefix]) prefix++;
  return j + prefix * 0.1 * (1 - j);
}
