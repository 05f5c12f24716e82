/** The outcome of validating one identity number: the normalised value, or why it is invalid. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

export const valid = <T>(value: T): Checked<T> => ({ ok: true, value });
export const invalid = <T>(reason: string): Checked<T> => ({ ok: false, reason });

/** Upper-cases and removes the separators people type into identity numbers (spaces, hyphens, slashes, dots). */
export function stripSeparators(raw: string): string {
  return raw.replace(/[\s\-/.]+/g, '').toUpperCase();
}

/** Shows only the last `visible` characters: `XXXXXX1234`. */
export function maskAllButLast(value: string, visible = 4): string {
  if (value.length <= visible) return 'X'.repeat(value.length);
  return 'X'.repeat(value.length - visible) + value.slice(-visible);
}
