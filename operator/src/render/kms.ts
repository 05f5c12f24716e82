// What kyc gets of spec.dependencies.kms (docs/security.md, "Keys held by a KMS"): the KMS settings from the
// Secret it names, as secretKeyRefs (the operator never reads that Secret), and an egress rule to the KMS
// endpoint's peers. Without `kms`, nothing: kyc seals PII with the platform Secret's pii-keys ring as before.
import type { ComponentName } from '../api/components.js';
import { KMS_PORT_DEFAULT } from '../api/schema.js';
import type { KycPlatformSpec, NetworkPeer } from '../api/types.js';
import type { EnvVar } from './env.js';

/** Only kyc seals PII, so only kyc talks to the KMS. */
export const KMS_READERS: readonly ComponentName[] = ['kyc'];

/** Keys of the KMS Secret; only key-id is required (workloads/kyc/config.ts checks the combinations). */
const KMS_SECRET_ENV: { key: string; env: string; optional: boolean }[] = [
  { key: 'key-id', env: 'KMS_KEY_ID', optional: false },
  { key: 'region', env: 'KMS_REGION', optional: true },
  { key: 'endpoint', env: 'KMS_ENDPOINT', optional: true },
  { key: 'access-key-id', env: 'KMS_ACCESS_KEY_ID', optional: true },
  { key: 'secret-access-key', env: 'KMS_SECRET_ACCESS_KEY', optional: true },
  // The RSA key writes are parked under while the KMS is away (docs/security.md, "Writes while the KMS is away").
  { key: 'parking-key-id', env: 'KMS_PARKING_KEY_ID', optional: true },
];

export function kmsEnv(spec: KycPlatformSpec, component: ComponentName): EnvVar[] {
  const secret = spec.dependencies?.kms?.secretRef.name;
  if (secret === undefined || !KMS_READERS.includes(component)) return [];
  return KMS_SECRET_ENV.map(({ key, env, optional }) => ({
    name: env,
    valueFrom: { secretKeyRef: { name: secret, key, ...(optional ? { optional: true } : {}) } },
  }));
}

/** The KMS's peers and ports for the component's egress policy; undefined when it may not reach one. */
export function kmsNetwork(spec: KycPlatformSpec, component: ComponentName): { peers: NetworkPeer[]; ports: number[] } | undefined {
  const kms = spec.dependencies?.kms;
  if (!kms || !KMS_READERS.includes(component)) return undefined;
  return { peers: kms.networkPeers ?? [], ports: kms.ports && kms.ports.length > 0 ? kms.ports : [KMS_PORT_DEFAULT] };
}
