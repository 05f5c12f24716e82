import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { kmsEnv, kmsNetwork } from './kms.js';

const withKms = platform({
  dependencies: { kms: { secretRef: { name: 'kyc-kms' }, networkPeers: [{ ipBlock: { cidr: '10.20.0.9/32' } }] } },
});

describe('kmsEnv', () => {
  it('when spec.dependencies.kms names a Secret, then kyc reads the KMS settings from it (key-id required, the rest optional)', () => {
    expect(kmsEnv(withKms.spec, 'kyc')).toEqual([
      { name: 'KMS_KEY_ID', valueFrom: { secretKeyRef: { name: 'kyc-kms', key: 'key-id' } } },
      { name: 'KMS_REGION', valueFrom: { secretKeyRef: { name: 'kyc-kms', key: 'region', optional: true } } },
      { name: 'KMS_ENDPOINT', valueFrom: { secretKeyRef: { name: 'kyc-kms', key: 'endpoint', optional: true } } },
      { name: 'KMS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'kyc-kms', key: 'access-key-id', optional: true } } },
      { name: 'KMS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'kyc-kms', key: 'secret-access-key', optional: true } } },
      { name: 'KMS_PARKING_KEY_ID', valueFrom: { secretKeyRef: { name: 'kyc-kms', key: 'parking-key-id', optional: true } } },
    ]);
  });

  it('gives nothing to the other components, nor to kyc without spec.dependencies.kms (the pii-keys ring seals as before)', () => {
    for (const other of ['gateway', 'auth', 'notification', 'analytics'] as const) expect(kmsEnv(withKms.spec, other)).toEqual([]);
    expect(kmsEnv(platform().spec, 'kyc')).toEqual([]);
  });
});

describe('kmsNetwork', () => {
  it('is the peers of kyc only, on 443 unless ports are given', () => {
    expect(kmsNetwork(withKms.spec, 'kyc')).toEqual({ peers: [{ ipBlock: { cidr: '10.20.0.9/32' } }], ports: [443] });
    expect(kmsNetwork(withKms.spec, 'gateway')).toBeUndefined();
    expect(kmsNetwork(platform().spec, 'kyc')).toBeUndefined();
  });
});
