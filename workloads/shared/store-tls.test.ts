// How the store clients read their TLS settings: a plaintext URL is refused when TLS is required, a URL
// that asks for TLS gets verified TLS with the configured CA, and everything else is left as it was.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config.js';
import { kafkaSsl, postgresConnection, redisTls, storesTlsFromEnv } from './store-tls.js';

const dir = mkdtempSync(join(tmpdir(), 'store-tls-'));
const caFile = join(dir, 'ca.crt');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
const otherCa = join(dir, 'other.crt');
writeFileSync(otherCa, 'other');

const optional = { required: false };
const required = { required: true, caFile };

describe('postgresConnection', () => {
  it('when the URL asks for nothing and TLS is optional, then the URL is used as it is, without TLS', () => {
    const url = 'postgres://kyc:pw@127.0.0.1:15432/kyc';
    expect(postgresConnection(url, optional)).toEqual({ connectionString: url });
  });

  it('when TLS is required and the URL is plaintext, then a ConfigError names DATABASE_URL and says what to set', () => {
    const attempt = () => postgresConnection('postgres://kyc:pw@db:5432/kyc', required);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/sslmode=verify-full/);
  });

  it('when TLS is required, then a weaker sslmode is refused too', () => {
    expect(() => postgresConnection('postgres://kyc:pw@db:5432/kyc?sslmode=require', required)).toThrow(/sslmode=require/);
  });

  it('when the URL asks for verify-full, then ssl verifies with DATABASE_CA_FILE and the URL loses its ssl parameters', () => {
    const result = postgresConnection(
      `postgres://kyc:pw@db:5432/kyc?sslmode=verify-full&sslrootcert=${otherCa}&application_name=x`,
      required,
    );
    expect(result.connectionString).toBe('postgres://kyc:pw@db:5432/kyc?application_name=x');
    expect(result.ssl).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('fake') });
  });

  it('when no CA file is configured, then the URL’s sslrootcert is the CA', () => {
    const result = postgresConnection(`postgres://kyc:pw@db:5432/kyc?sslmode=verify-full&sslrootcert=${otherCa}`, { required: true });
    expect(result.ssl?.ca).toBe('other');
    expect(result.connectionString).toBe('postgres://kyc:pw@db:5432/kyc');
  });

  it('when the CA file cannot be read, then a ConfigError names the variable', () => {
    expect(() => postgresConnection('postgres://u:p@db/kyc?sslmode=verify-full', { required: true, caFile: join(dir, 'missing') })).toThrow(
      /DATABASE_CA_FILE: cannot read the CA bundle .*ENOENT/,
    );
  });
});

describe('redisTls', () => {
  it('when the URL is redis:// and TLS is optional, then no TLS', () => {
    expect(redisTls('redis://:pw@127.0.0.1:16379', optional)).toBeUndefined();
  });

  it('when the URL is redis:// and TLS is required, then a ConfigError says to use rediss://', () => {
    expect(() => redisTls('redis://:pw@127.0.0.1:16379', required)).toThrow(/rediss:\/\//);
  });

  it('when the URL is rediss://, then verified TLS with the CA', () => {
    expect(redisTls('rediss://:pw@127.0.0.1:16380', required)).toMatchObject({
      rejectUnauthorized: true,
      ca: expect.stringContaining('fake'),
    });
  });
});

describe('kafkaSsl', () => {
  it('when TLS is required, then verified TLS with the CA; otherwise plaintext', () => {
    expect(kafkaSsl(required)).toMatchObject({ rejectUnauthorized: true, minVersion: 'TLSv1.2' });
    expect(kafkaSsl(optional)).toBeUndefined();
  });
});

describe('storesTlsFromEnv', () => {
  it('when nothing is set, then nothing is required', () => {
    expect(storesTlsFromEnv({})).toEqual({
      postgres: { required: false, caFile: undefined },
      redis: { required: false, caFile: undefined },
      kafka: { required: false, caFile: undefined },
    });
  });

  it('reads each store’s mode and CA file, and refuses an unknown mode by name', () => {
    expect(storesTlsFromEnv({ KAFKA_TLS: 'required', KAFKA_CA_FILE: caFile }).kafka).toEqual({ required: true, caFile });
    expect(() => storesTlsFromEnv({ DATABASE_TLS: 'yes' })).toThrow(/DATABASE_TLS/);
  });
});
