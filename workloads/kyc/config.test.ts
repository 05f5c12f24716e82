import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { loadKycConfig } from './config.js';

const base = {
  DATABASE_URL: 'postgres://kyc@127.0.0.1:5432/kyc',
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWKS_URL: 'http://auth:8080/.well-known/jwks.json',
  PII_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
};

describe('kyc configuration: the KMS settings (docs/security.md, "Keys held by a KMS")', () => {
  it('without KMS_KEY_ID, none is needed (the PII_ENCRYPTION_KEYS ring seals as before)', () => {
    expect(loadKycConfig(base).KMS_KEY_ID).toBeUndefined();
  });

  it('an AWS KMS key needs KMS_REGION; the local KMS does not', () => {
    expect(() => loadKycConfig({ ...base, KMS_KEY_ID: 'alias/kyc-pii' })).toThrow(/KMS_REGION/);
    expect(loadKycConfig({ ...base, KMS_KEY_ID: 'alias/kyc-pii', KMS_REGION: 'ap-south-1' }).KMS_DATA_KEY_TTL_MS).toBe(300_000);
    expect(loadKycConfig({ ...base, KMS_KEY_ID: 'local' }).KMS_KEY_ID).toBe('local');
  });

  it('refuses half a credential pair and a refresh not shorter than the cache lifetime', () => {
    const aws = { ...base, KMS_KEY_ID: 'alias/kyc-pii', KMS_REGION: 'ap-south-1' };
    expect(() => loadKycConfig({ ...aws, KMS_ACCESS_KEY_ID: 'AKIA' })).toThrow(/go together/);
    expect(() => loadKycConfig({ ...aws, KMS_REFRESH_MS: '300000' })).toThrow(/KMS_REFRESH_MS must be shorter/);
  });
});
