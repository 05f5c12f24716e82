// Development secrets in production (docs/security.md, control 8): before it rolls anything for a
// platform with profile `production`, the operator reads the platform Secret (spec.secretsRef; the only
// Secret it reads) and refuses keys an attacker knows or can guess: the values of
// samples/secrets-development.yaml (they are public), all-zero keys, keys of the wrong length, signing
// keys that do not parse, short admin passwords. While it refuses, no Deployment is created or changed
// (reconcile/platform.ts), so no pod ever starts with such a key. Pure: the Secret's data in, findings
// out; the messages name the Secret key and what to fix, never a value.
import { createHash, createPrivateKey } from 'node:crypto';

/** The keys of the platform Secret the check reads (docs/operator.md, "Development secrets in production"). */
export const PII_KEYS = 'pii-keys';
export const TOKEN_SIGNING_KEYS = 'token-signing-keys';
export const ADMIN_PASSWORD = 'admin-password';
export const MIN_ADMIN_PASSWORD_LENGTH = 12;

/**
 * SHA-256 (hex) of the key material in samples/secrets-development.yaml: the PII key bytes, the Ed25519
 * seed of each token-signing key, the admin password. Digests rather than the values, so that the
 * operator carries no key; secrets.test.ts recomputes them from the sample file and fails when it changes.
 */
export const SAMPLE_DIGESTS: ReadonlySet<string> = new Set([
  // token-signing-keys dev1 (the Ed25519 seed)
  'b887dfefd3152c37f4ebf766f8c5cea6b7c380e18610cdf412710730e3fe0b0a',
  // pii-keys dev1 (32 zero bytes)
  '66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925',
  // admin-password
  'fa66e67042787f158749936ebb0c4384984a966a4508e4f7fd541215c3328024',
]);

export interface SecretFinding {
  /** The Secret key the finding is about, e.g. pii-keys. */
  key: string;
  /** What is wrong and what to do, without the value. */
  message: string;
}

export function digest(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const isAllZero = (bytes: Buffer): boolean => bytes.every((b) => b === 0);

/** `kid:base64[,kid:base64...]` entries; undefined for an entry without a kid or a value. */
function ring(value: string): ({ kid: string; material: string } | undefined)[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0 || colon === entry.length - 1) return undefined;
      return { kid: entry.slice(0, colon), material: entry.slice(colon + 1) };
    });
}

function base64Bytes(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}

function checkPiiKeys(value: string | undefined): SecretFinding[] {
  if (value === undefined || value.trim() === '') {
    return [
      {
        key: PII_KEYS,
        message: `${PII_KEYS} is missing: set it to keyId:base64(32 random bytes), e.g. k1:$(head -c 32 /dev/urandom | base64)`,
      },
    ];
  }
  const findings: SecretFinding[] = [];
  ring(value).forEach((entry, index) => {
    const where = entry ? `${PII_KEYS} key ${entry.kid}` : `${PII_KEYS} entry ${index + 1}`;
    const bytes = entry && base64Bytes(entry.material);
    if (!entry || !bytes)
      findings.push({ key: PII_KEYS, message: `${where} is not keyId:base64: write each key as keyId:base64(32 random bytes)` });
    else if (bytes.length !== 32)
      findings.push({
        key: PII_KEYS,
        message: `${where} is ${bytes.length} bytes, not 32: generate it with head -c 32 /dev/urandom | base64`,
      });
    else if (isAllZero(bytes)) findings.push({ key: PII_KEYS, message: `${where} is all zero bytes: replace it with 32 random bytes` });
    else if (SAMPLE_DIGESTS.has(digest(bytes)))
      findings.push({ key: PII_KEYS, message: `${where} is the public development sample: replace it with 32 random bytes` });
  });
  return findings;
}

/** The 32-byte Ed25519 seed of a PKCS#8 DER key, or undefined when it is no such key. */
function ed25519Seed(der: Buffer): Buffer | undefined {
  try {
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') return undefined;
    const d = key.export({ format: 'jwk' }).d;
    return d ? Buffer.from(d, 'base64url') : undefined;
  } catch {
    return undefined;
  }
}

function checkSigningKeys(value: string | undefined): SecretFinding[] {
  const howTo = 'generate one with openssl genpkey -algorithm ed25519 -outform DER | base64 -w0 and write it as kid:base64';
  if (value === undefined || value.trim() === '')
    return [{ key: TOKEN_SIGNING_KEYS, message: `${TOKEN_SIGNING_KEYS} is missing: ${howTo}` }];
  const findings: SecretFinding[] = [];
  ring(value).forEach((entry, index) => {
    const where = entry ? `${TOKEN_SIGNING_KEYS} key ${entry.kid}` : `${TOKEN_SIGNING_KEYS} entry ${index + 1}`;
    const der = entry && base64Bytes(entry.material);
    const seed = der && ed25519Seed(der);
    if (!seed) findings.push({ key: TOKEN_SIGNING_KEYS, message: `${where} is not an Ed25519 private key (PKCS#8 DER, base64): ${howTo}` });
    else if (isAllZero(seed)) findings.push({ key: TOKEN_SIGNING_KEYS, message: `${where} has an all-zero seed: ${howTo}` });
    else if (SAMPLE_DIGESTS.has(digest(seed)))
      findings.push({ key: TOKEN_SIGNING_KEYS, message: `${where} is the public development sample: ${howTo}` });
  });
  return findings;
}

function checkAdminPassword(value: string | undefined): SecretFinding[] {
  // Optional: without it auth creates no first administrator.
  if (value === undefined) return [];
  if (SAMPLE_DIGESTS.has(digest(value))) {
    return [
      {
        key: ADMIN_PASSWORD,
        message: `${ADMIN_PASSWORD} is the public development sample: set a random password of at least ${MIN_ADMIN_PASSWORD_LENGTH} characters`,
      },
    ];
  }
  if ([...value].length < MIN_ADMIN_PASSWORD_LENGTH) {
    return [
      {
        key: ADMIN_PASSWORD,
        message: `${ADMIN_PASSWORD} is shorter than ${MIN_ADMIN_PASSWORD_LENGTH} characters: set a random password of at least ${MIN_ADMIN_PASSWORD_LENGTH}`,
      },
    ];
  }
  return [];
}

/** The findings for a production platform's Secret data (values decoded); empty: the Secret may be used. */
export function checkProductionSecrets(data: Readonly<Record<string, string>>): SecretFinding[] {
  return [...checkPiiKeys(data[PII_KEYS]), ...checkSigningKeys(data[TOKEN_SIGNING_KEYS]), ...checkAdminPassword(data[ADMIN_PASSWORD])];
}

/** A Secret's `data` (base64, as the API returns it) decoded to strings. */
export function decodeSecretData(data: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

/** One line for the condition and the Event: every finding, the keys named, no value. */
export function describeFindings(secretName: string, findings: readonly SecretFinding[]): string {
  return `Secret ${secretName} is not fit for production, so nothing is rolled out until it is fixed: ${findings.map((f) => f.message).join('; ')}`;
}
