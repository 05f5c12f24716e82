// Sanctions and PEP screening: every applicant name is compared token by token with every name and
// alias on the list, and the best score decides the band: ≥ 0.95 block, 0.85–0.95 manual review,
// 0.70–0.85 enhanced due diligence (docs/kyc.md, "Automatic checks").
import { jaroWinkler } from './jaro-winkler.js';
import { nameTokens } from './names.js';

export type ListKind = 'sanction' | 'pep';

export interface WatchlistEntry {
  readonly id: string;
  readonly kind: ListKind;
  readonly source: string;
  readonly type: 'individual' | 'entity';
  readonly name: string;
  readonly aliases: readonly string[];
  /** ISO date or year (`1971` when only the year is published). */
  readonly dateOfBirth?: string;
  readonly programme: string;
}

export type ScreeningBand = 'block' | 'manual_review' | 'enhanced_due_diligence' | 'clear';

export interface ScreeningHit {
  readonly entryId: string;
  readonly kind: ListKind;
  readonly source: string;
  readonly matchedName: string;
  readonly score: number;
  readonly band: Exclude<ScreeningBand, 'clear'>;
  /** The list gives a date of birth that cannot be the applicant's. */
  readonly dateOfBirthConflict: boolean;
}

export interface ScreeningResult {
  readonly band: ScreeningBand;
  /** Hits at or above the enhanced-due-diligence threshold, best first. */
  readonly hits: readonly ScreeningHit[];
}

export const BAND_THRESHOLDS = { block: 0.95, manual_review: 0.85, enhanced_due_diligence: 0.7 } as const;

/** A token pair less similar than this is not the same name element (and so counts as unmatched). */
const TOKEN_MATCH_FLOOR = 0.8;

/** Names whose letters (spaces removed) differ in length by more than this are not spacing variants. */
const SPACING_VARIANT_LENGTH_RATIO = 0.9;

export function bandFor(score: number): ScreeningBand {
  if (score >= BAND_THRESHOLDS.block) return 'block';
  if (score >= BAND_THRESHOLDS.manual_review) return 'manual_review';
  if (score >= BAND_THRESHOLDS.enhanced_due_diligence) return 'enhanced_due_diligence';
  return 'clear';
}

/**
 * Similarity of two names, 0..1, insensitive to token order, titles, accents and punctuation.
 *
 * Tokens are aligned greedily by best Jaro-Winkler pair; each aligned pair contributes its score weighted
 * by the pair's length, and every unaligned token (an extra middle name, a different surname) weighs in
 * with score 0. So "Dawood Ibrahim" vs "Ibrahim Dawood" is 1, a one-letter misspelling stays near 1, an
 * extra name element lowers the score into review territory, and two names sharing only a first name fall
 * below the bands. When only the spacing differs ("Abdulrahman" vs "Abdul Rahman": different token counts,
 * nearly the same letters), the names are also compared with their spaces removed. That comparison is
 * limited to strings of similar length because Winkler's prefix boost would otherwise rate "Mohammed
 * Karim Khan" as nearly equal to "Mohammed Karim".
 */
export function nameSimilarity(a: string, b: string): number {
  const left = nameTokens(a);
  const right = nameTokens(b);
  if (left.length === 0 || right.length === 0) return 0;
  const tokenScore = alignedTokenScore(left, right);
  if (left.length === right.length) return tokenScore;
  const joinedLeft = left.join('');
  const joinedRight = right.join('');
  const lengthRatio = Math.min(length(joinedLeft), length(joinedRight)) / Math.max(length(joinedLeft), length(joinedRight));
  if (lengthRatio < SPACING_VARIANT_LENGTH_RATIO) return tokenScore;
  return Math.max(tokenScore, jaroWinkler(joinedLeft, joinedRight));
}

function alignedTokenScore(left: readonly string[], right: readonly string[]): number {
  const pairs: Array<{ i: number; j: number; score: number }> = [];
  left.forEach((l, i) => right.forEach((r, j) => pairs.push({ i, j, score: jaroWinkler(l, r) })));
  // Highest score first; ties broken by position so the result does not depend on sort stability.
  pairs.sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
  const usedLeft = new Set<number>();
  const usedRight = new Set<number>();
  let weighted = 0;
  for (const { i, j, score } of pairs) {
    if (score < TOKEN_MATCH_FLOOR) break;
    if (usedLeft.has(i) || usedRight.has(j)) continue;
    usedLeft.add(i);
    usedRight.add(j);
    weighted += score * (length(left[i]) + length(right[j]));
  }
  const total = [...left, ...right].reduce((sum, token) => sum + length(token), 0);
  return weighted / total;
}

function length(token: string | undefined): number {
  return token === undefined ? 0 : Array.from(token).length;
}

/**
 * Screens an individual against the list. A sanctions hit with a date of birth that cannot be the
 * applicant's is lowered from block to manual review (a person decides); PEP hits never block — being
 * politically exposed calls for review, not refusal.
 */
export function screenName(name: string, dateOfBirth: string | undefined, list: readonly WatchlistEntry[]): ScreeningResult {
  const hits: ScreeningHit[] = [];
  for (const entry of list) {
    if (entry.type !== 'individual') continue;
    let best = { score: 0, matchedName: entry.name };
    for (const candidate of [entry.name, ...entry.aliases]) {
      const score = nameSimilarity(name, candidate);
      if (score > best.score) best = { score, matchedName: candidate };
    }
    let band = bandFor(best.score);
    if (band === 'clear') continue;
    const dateOfBirthConflict = conflictingBirthDates(dateOfBirth, entry.dateOfBirth);
    if (band === 'block' && (dateOfBirthConflict || entry.kind === 'pep')) band = 'manual_review';
    hits.push({
      entryId: entry.id,
      kind: entry.kind,
      source: entry.source,
      matchedName: best.matchedName,
      score: Math.round(best.score * 10_000) / 10_000,
      band,
      dateOfBirthConflict,
    });
  }
  hits.sort((x, y) => y.score - x.score || x.entryId.localeCompare(y.entryId));
  return { band: strongestBand(hits), hits };
}

const BAND_ORDER: readonly ScreeningBand[] = ['clear', 'enhanced_due_diligence', 'manual_review', 'block'];

function strongestBand(hits: readonly ScreeningHit[]): ScreeningBand {
  return hits.reduce<ScreeningBand>(
    (strongest, hit) => (BAND_ORDER.indexOf(hit.band) > BAND_ORDER.indexOf(strongest) ? hit.band : strongest),
    'clear',
  );
}

/** Lists often publish only a birth year; anything more than a year apart is a different person. */
function conflictingBirthDates(applicant: string | undefined, listed: string | undefined): boolean {
  if (applicant === undefined || listed === undefined) return false;
  const a = Number(applicant.slice(0, 4));
  const l = Number(listed.slice(0, 4));
  if (!Number.isFinite(a) || !Number.isFinite(l)) return false;
  return Math.abs(a - l) > 1;
}
