// Platforms for the unit tests (and anyone who needs a valid KycPlatform in a test).
import type { KycPlatform, KycPlatformSpec } from './types.js';

export function platform(spec: Partial<KycPlatformSpec> = {}, name = 'acme'): KycPlatform {
  return {
    apiVersion: 'kyc.dev/v1alpha1',
    kind: 'KycPlatform',
    metadata: { name, namespace: 'kyc-test', uid: '7d5c1f1e-0000-4000-8000-000000000001', generation: 1 },
    spec: {
      version: '1.4.2',
      dependencies: {
        postgres: { secretRef: { name: 'kyc-postgres' } },
        redis: { secretRef: { name: 'kyc-redis' } },
        kafka: { secretRef: { name: 'kyc-kafka' } },
      },
      secretsRef: { name: 'kyc-platform-secrets' },
      ...spec,
    },
  };
}
