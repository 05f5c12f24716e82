import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { parseJwks } from './jwks.js';
import { parseSigningKeys, publicJwks } from './token-keys.js';

const der = (type: 'ed25519' | 'x25519' = 'ed25519'): string =>
  generateKeyPairSync(type as 'ed25519')
    .privateKey.export({ format: 'der', type: 'pkcs8' })
    .toString('base64');

describe('the signing key ring', () => {
  it('parses kid:base64 entries; the first signs', () => {
    const ring = parseSigningKeys(`new:${der()}, old:${der()}`);
    expect(ring.map((k) => k.kid)).toEqual(['new', 'old']);
  });

  it('refuses bad entries without echoing the key material', () => {
    const secretish = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';
    for (const raw of ['', `:${der()}`, `k1:${secretish}`, `k1:${der()},k1:${der()}`, `bad kid:${der()}`, `k1:${der('x25519')}`]) {
      let message = '';
      try {
        parseSigningKeys(raw);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(secretish);
    }
  });

  it('publishes public keys only, which a verifier reads back', () => {
    const ring = parseSigningKeys(`a:${der()},b:${der()}`);
    const jwks = publicJwks(ring);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(jwks.keys.map((k) => [k.kid, k.kty, k.crv, k.alg, k.use])).toEqual([
      ['a', 'OKP', 'Ed25519', 'EdDSA', 'sig'],
      ['b', 'OKP', 'Ed25519', 'EdDSA', 'sig'],
    ]);
    const parsed = parseJwks(jwks);
    expect([...parsed.keys()]).toEqual(['a', 'b']);
    expect(parsed.get('a')?.export({ format: 'jwk' }).x).toBe(jwks.keys[0]?.x);
  });

  it('ignores symmetric, RSA and other-algorithm keys in a JWKS', () => {
    const parsed = parseJwks({
      keys: [
        { kty: 'oct', k: 'c2VjcmV0', kid: 'h' },
        { kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'r' },
        { ...publicJwks(parseSigningKeys(`x:${der()}`)).keys[0], alg: 'HS256' },
      ],
    });
    expect(parsed.size).toBe(0);
    expect(() => parseJwks({})).toThrow(/keys/);
  });
});
