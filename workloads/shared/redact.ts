// Scrubbing of secrets and personal data before anything reaches a log line. Two layers: keys that
// are secret by name (password, token, authorization, pan, aadhaar, ...) lose their value whatever it
// is, and every string is searched for shapes that look like secrets or identity numbers.

export const REDACTED = '[REDACTED]';

const SECRET_KEYS = new Set([
  'password',
  'passwd',
  'pass',
  'newpassword',
  'oldpassword',
  'currentpassword',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'xapikey',
  'jwtsecret',
  'clientsecret',
  'otp',
  'pin',
  'pan',
  'pannumber',
  'aadhaar',
  'aadhaarnumber',
  'aadhar',
  'vid',
  'passport',
  'passportnumber',
  'voterid',
  'drivinglicence',
  'drivinglicense',
  'ckyc',
  'ckycnumber',
  'content',
  'documentcontent',
  'dateofbirth',
  'dob',
  'adminpassword',
  'databaseurl',
  'redisurl',
  'piiencryptionkeys',
]);

const normaliseKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

export function isSecretKey(key: string): boolean {
  const k = normaliseKey(key);
  return SECRET_KEYS.has(k) || k.endsWith('password') || k.endsWith('token') || k.endsWith('secret');
}

export const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // JSON Web Tokens (three base64url parts, the first starting with `{"` encoded).
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[JWT]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  // Passwords inside URLs: scheme://user:password@host.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1[REDACTED]@'],
  // PAN: five letters, four digits, one letter (any case: people type them lower-case).
  [/\b[A-Za-z]{5}[0-9]{4}[A-Za-z]\b/g, '[PAN]'],
];

/** Identity numbers, searched for outside UUIDs only (see scrubString). */
export const NUMBER_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // Aadhaar (12 digits) and VID (16 digits), with or without spaces/hyphens; any other 12+ digit run too.
  [/\b\d{4}[ -]?\d{4}[ -]?\d{4}(?:[ -]?\d{4})?\b/g, '[ID-NUMBER]'],
  [/\d{12,}/g, '[ID-NUMBER]'],
];

/**
 * The ids the services log on purpose (request, user, application ids) are UUIDs; about one in a
 * hundred has digit groups shaped like an Aadhaar (`…0838-7746-4152…`) or a 12-digit last group, and
 * masking those would cut the id a reader follows through the logs.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function replaceAll(value: string, patterns: ReadonlyArray<readonly [RegExp, string]>): string {
  let out = value;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

// Every pattern above needs one of these (four digits in a row, a JWT's `eyJ`, a URL's `://`, or a
// Bearer/Basic scheme): a string without any of them is returned as it is, after one test instead of six
// replacements (most logged strings are methods, paths, ids and messages).
const MAY_HOLD_SECRET = /\d{4}|eyJ|:\/\/|bearer|basic/i;

export function scrubString(value: string): string {
  if (!MAY_HOLD_SECRET.test(value)) return value;
  // Tokens, URL passwords and PANs over the whole string (a UUID-shaped password in a URL goes too);
  // identity numbers in the text between UUIDs.
  const text = replaceAll(value, PATTERNS);
  let out = '';
  let last = 0;
  for (const match of text.matchAll(UUID)) {
    out += replaceAll(text.slice(last, match.index), NUMBER_PATTERNS) + match[0];
    last = match.index + match[0].length;
  }
  return out + replaceAll(text.slice(last), NUMBER_PATTERNS);
}

/** A deep copy of `value` with secret keys and secret-looking strings replaced. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[DEEP]';
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  if (value instanceof Error) {
    return { type: value.name, message: scrubString(value.message), stack: value.stack ? scrubString(value.stack) : undefined };
  }
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && item !== undefined && item !== null && item !== '' ? REDACTED : scrub(item, depth + 1);
  }
  return out;
}
