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

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_SUFFIXES: Record<number, string> = {
  [-9]: 'n',
  [-6]: 'u',
  [-3]: 'm',
  0: '',
  3: 'k',
  6: 'M',
  9: 'G',
  12: 'T',
  15: 'P',
  18: 'E',
};
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const NANO = 1_000_000_000n;

/**
 * The API server's canonical spelling of a quantity (what it returns after storing `0.5` or `1024Mi`:
 * `500m`, `1Gi`), so rendered objects compare equal to what the server hands back. Same rules as
 * Kubernetes' Quantity: values are kept to nano precision (rounded up), the input's notation is kept
 * (binary, decimal or exponent), binary values below 1024 or not whole bytes are shown as decimal, and
 * the largest suffix that keeps an integer mantissa wins. Checked against the API server down to 1m;
 * below a milli-unit the server may round differently (never the case for requests and limits).
 */
export function canonicalQuantity(quantity: string | number): string {
  const text = typeof quantity === 'number' ? String(quantity).replace('e+', 'e') : quantity.trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:([KMGTPE]i)|([numkMGTPE]?)|[eE]([+-]?\d+))$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) throw new Error(`malformed quantity ${JSON.stringify(quantity)}`);
  const [, sign = '', whole = '', fraction = '', binary, decimal, exponent] = match;
  const digits = BigInt(`${whole}${fraction}` || '0');
  const power10 = 9 - fraction.length + (exponent !== undefined ? Number(exponent) : (DECIMAL_EXPONENTS[decimal ?? ''] ?? 0));
  const multiplier = binary !== undefined ? 1n << BigInt(10 * BINARY_SUFFIXES.indexOf(binary)) : 1n;
  let nano = digits * multiplier;
  if (power10 >= 0) nano *= 10n ** BigInt(power10);
  else {
    const divisor = 10n ** BigInt(-power10);
    nano = (nano + divisor - 1n) / divisor; // round up to nano precision, as the API server does
  }
  if (nano === 0n) return '0';
  const prefix = sign === '-' ? '-' : '';

  if (binary !== undefined && nano >= 1024n * NANO && nano % NANO === 0n) {
    let mantissa = nano / NANO;
    let step = 0;
    while (step < BINARY_SUFFIXES.length - 1 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      step += 1;
    }
    return `${prefix}${mantissa}${BINARY_SUFFIXES[step]}`;
  }
  let mantissa = nano;
  let power = -9;
  while (power < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    power += 3;
  }
  if (exponent !== undefined) return `${prefix}${mantissa}${power === 0 ? '' : `e${power}`}`;
  return `${prefix}${mantissa}${DECIMAL_SUFFIXES[power] ?? `e${power}`}`;
}
