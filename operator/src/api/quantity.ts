// Kubernetes resource quantities (e.g. 250m, 0.5, 512Mi, 1G, 1e3) as numbers, for the few derived values the
// operator computes (the Node.js heap from the memory limit). The schema has already validated the format.
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity in base units (bytes for memory, cores for CPU). Throws on a malformed quantity. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([KMGTPE]i)|([numkMGTPE]?)|[eE]([+-]?(?:\d+(?:\.\d*)?|\.\d+)))$/.exec(quantity.trim());
  if (!match) throw new Error(`malformed quantity ${JSON.stringify(quantity)}`);
  const [, number, binary, decimal, exponent] = match;
  const value = Number(number);
  if (binary !== undefined) return value * (BINARY[binary] ?? 1);
  if (exponent !== undefined) return value * 10 ** Number(exponent);
  return value * (DECIMAL[decimal ?? ''] ?? 1);
}

/** A memory quantity in whole MiB, rounded down. */
export function mebibytes(quantity: string | number): number {
  return Math.floor(parseQuantity(quantity) / 2 ** 20);
}
