import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import { checkProductionSecrets, decodeSecretData, describeFindings, digest, SAMPLE_DIGESTS } from './secrets.js';

function signingKey(kid = 'k1'): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return `${kid}:${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`;
}

/** A Secret a bank would set: random keys, a long password. */
function good(): Record<string, string> {
  return {
    'pii-keys': `k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`,
    'token-signing-keys': `${signingKey('s2')},${signingKey('s1')}`,
    'admin-email': 'admin@bank.example',
    'admin-password': 'correct-horse-battery-staple',
  };
}

/** The platform Secret of samples/secrets-development.yaml (stringData, as applied). */
function sample(): Record<string, string> {
  const docs = yaml.loadAll(readFileSync('samples/secrets-development.yaml', 'utf8')) as {
    metadata: { name: string };
    stringData?: Record<string, string>;
  }[];
  const secret = docs.find((d) => d.metadata.name === 'kyc-dev-platform');
  if (!secret?.stringData) throw new Error('samples/secrets-development.yaml has no kyc-dev-platform Secret');
  return secret.stringData;
}

const keysOf = (findings: { key: string }[]): string[] => [...new Set(findings.map((f) => f.key))].sort();

describe('checkProductionSecrets', () => {
  it('when every key is random and long enough, then it finds nothing', () => {
    expect(checkProductionSecrets(good())).toEqual([]);
    const { ['admin-password']: _password, ...withoutAdmin } = good();
    expect(checkProductionSecrets(withoutAdmin)).toEqual([]);
  });

  it('when the Secret is the development sample, then every key it sets is refused as the public sample (or all-zero)', () => {
    const values = sample();
    const findings = checkProductionSecrets(values);
    expect(keysOf(findings)).toEqual(['admin-password', 'pii-keys', 'token-signing-keys']);
    for (const f of findings) expect(f.message).toMatch(/development sample|all zero|all-zero|is missing/);
  });

  it('keeps SAMPLE_DIGESTS in step with samples/secrets-development.yaml (update both together)', () => {
    const values = sample();
    const material: Buffer[] = [];
    if (values['admin-password'] !== undefined) material.push(Buffer.from(values['admin-password']));
    const material64 = (entry: string): string => entry.slice(entry.indexOf(':') + 1);
    for (const entry of (values['pii-keys'] ?? '').split(',')) material.push(Buffer.from(material64(entry), 'base64'));
    for (const entry of (values['token-signing-keys'] ?? '').split(',').filter((e) => e !== '')) {
      const key = createPrivateKey({ key: Buffer.from(material64(entry), 'base64'), format: 'der', type: 'pkcs8' });
      material.push(Buffer.from(key.export({ format: 'jwk' }).d ?? '', 'base64url'));
    }
    expect(material.length).toBeGreaterThan(1);
    for (const bytes of material) expect(SAMPLE_DIGESTS.has(digest(bytes))).toBe(true);
  });

  it('refuses pii-keys with an all-zero key, a key not exactly 32 bytes, a malformed entry, or none', () => {
    const zero = { ...good(), 'pii-keys': `k2:${randomBytes(32).toString('base64')},k1:${Buffer.alloc(32).toString('base64')}` };
    expect(checkProductionSecrets(zero)).toEqual([{ key: 'pii-keys', message: expect.stringContaining('pii-keys key k1 is all zero') }]);
    const short = { ...good(), 'pii-keys': `k1:${randomBytes(16).toString('base64')}` };
    expect(checkProductionSecrets(short)[0]?.message).toContain('is 16 bytes, not 32');
    const long = { ...good(), 'pii-keys': `k1:${randomBytes(33).toString('base64')}` };
    expect(checkProductionSecrets(long)[0]?.message).toContain('is 33 bytes, not 32');
    expect(checkProductionSecrets({ ...good(), 'pii-keys': 'no-colon-here' })[0]?.message).toContain('is not keyId:base64');
    expect(checkProductionSecrets({ ...good(), 'pii-keys': 'k1:not base64!' })[0]?.message).toContain('is not keyId:base64');
    const { ['pii-keys']: _pii, ...none } = good();
    expect(checkProductionSecrets(none)[0]?.message).toContain('pii-keys is missing');
  });

  it('refuses token-signing-keys that do not parse as Ed25519 PKCS#8 or are missing', () => {
    const hmac = { ...good(), 'token-signing-keys': `k1:${randomBytes(48).toString('base64')}` };
    expect(checkProductionSecrets(hmac)).toEqual([
      { key: 'token-signing-keys', message: expect.stringContaining('key k1 is not an Ed25519 private key') },
    ]);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec = { ...good(), 'token-signing-keys': `k1:${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}` };
    expect(checkProductionSecrets(ec)[0]?.key).toBe('token-signing-keys');
    const { ['token-signing-keys']: _tsk, ...none } = good();
    expect(checkProductionSecrets(none)[0]?.message).toContain('token-signing-keys is missing');
  });

  it('refuses an admin password shorter than 12 characters or equal to the sample', () => {
    expect(checkProductionSecrets({ ...good(), 'admin-password': 'short-pw' })[0]?.message).toContain('shorter than 12');
    expect(checkProductionSecrets({ ...good(), 'admin-password': 'dev-only-Admin-Passw0rd' })[0]?.message).toContain('development sample');
    expect(checkProductionSecrets({ ...good(), 'admin-password': 'twelve-chars' })).toEqual([]);
  });

  it('never puts a value into a message', () => {
    const bad = {
      'pii-keys': `k1:${randomBytes(16).toString('base64')}`,
      'token-signing-keys': `k1:${randomBytes(48).toString('base64')}`,
      'admin-password': 'tiny-secret',
    };
    const text = describeFindings('bank-platform', checkProductionSecrets(bad));
    expect(text).toContain('Secret bank-platform');
    for (const value of Object.values(bad)) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(value.slice(3));
    }
  });

  it('decodes the base64 data the API server returns', () => {
    expect(decodeSecretData({ 'admin-password': Buffer.from('pässword').toString('base64') })).toEqual({ 'admin-password': 'pässword' });
    expect(decodeSecretData(undefined)).toEqual({});
  });
});
