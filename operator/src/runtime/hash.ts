// Hashing and comparison of Kubernetes objects: the spec-hash annotation and drift detection.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so that equal objects give equal strings. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => stableStringify(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/**
 * A short, stable fingerprint of any JSON value (sha256, 16 hex characters). The hex of the first 8 bytes,
 * not a slice of the whole hex: V8 keeps a slice as a view of its 64-character parent, and the operator
 * keeps several of these per owned object (docs/benchmarks.md, "Memory").
 */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest().toString('hex', 0, 8);
}

/**
 * The part of `live` that has the shape of `desired`: for every field the operator sets, the value the
 * server holds now. Fields the server or other controllers add (status, defaults, managedFields) are
 * left out, so the projection only changes when someone changes a field the operator owns.
 */
export function projectOnto(desired: unknown, live: unknown): unknown {
  if (desired === null || typeof desired !== 'object') return live;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return live;
    return desired.map((item, i) => projectOnto(item, live[i]));
  }
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return live;
  const liveRecord = live as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired as Record<string, unknown>)) {
    out[key] = projectOnto(value, liveRecord[key]);
  }
  return out;
}

const QUANTITY = /^([+-]?[0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses a Kubernetes quantity ("250m", "1Gi", "2") into a number; undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const multiplier = SUFFIX[match[2] ?? ''];
  const amount = Number(match[1]);
  if (multiplier === undefined || Number.isNaN(amount)) return undefined;
  return amount * multiplier;
}

function scalarsEqual(desired: unknown, live: unknown): boolean {
  if (desired === live) return true;
  // int-or-string fields (targetPort, maxSurge) and quantities come back in the server's canonical form.
  if ((typeof desired === 'number' || typeof desired === 'string') && (typeof live === 'number' || typeof live === 'string')) {
    if (String(desired) === String(live)) return true;
    const a = parseQuantity(desired);
    const b = parseQuantity(live);
    return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-9;
  }
  return false;
}

/**
 * True when every field of `desired` is present in `live` with an equal value (arrays must have the
 * same length). Used when the operator has no record of its own last write, e.g. right after start.
 */
export function isSubsetOf(desired: unknown, live: unknown): boolean {
  if (desired === null || typeof desired !== 'object') {
    // An empty desired value and an absent live one are the same to the API server.
    if (live === undefined && (desired === '' || desired === false || desired === null)) return true;
    return scalarsEqual(desired, live);
  }
  if (Array.isArray(desired)) {
    if (desired.length === 0) return live === undefined || (Array.isArray(live) && live.length === 0);
    return Array.isArray(live) && live.length === desired.length && desired.every((item, i) => isSubsetOf(item, live[i]));
  }
  const desiredRecord = desired as Record<string, unknown>;
  if (live === undefined && Object.keys(desiredRecord).length === 0) return true;
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  const liveRecord = live as Record<string, unknown>;
  return Object.entries(desiredRecord).every(([key, value]) => value === undefined || isSubsetOf(value, liveRecord[key]));
}
