// Name normalisation for screening: the same person's name as typed by a customer and as published on
// a sanctions list should compare equal wherever spelling conventions, not identity, differ.

// Honorifics and titles carry no identity. Kept short on purpose: a word that is also a given name
// somewhere (e.g. "Sri" as a name element in Sri Lanka is rare on lists, but "Kumar" is common) stays.
const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'shri', 'smt', 'sri', 'kumari', 'late', 'sir', 'haji', 'hajji']);

/** Lower-case tokens without accents, punctuation or titles: `"Dr. José  O'Neil-Smith"` → `["jose", "oneil", "smith"]`. */
export function nameTokens(name: string): string[] {
  const plain = name
    .normalize('NFKD')
    // Accents come off Latin letters only: in Indic scripts the combining marks are the vowels.
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .trim();
  if (plain === '') return [];
  return plain.split(' ').filter((token) => !TITLES.has(token));
}
