// Each Kafka reader's own principal (docs/security.md, "Kafka"; docs/api.md, "Per-service credentials"): under
// spec.dependencies.kafka.credentials PerComponent, kyc, notification and analytics get KAFKA_SASL_USERNAME and
// KAFKA_SASL_PASSWORD from the Kafka Secret's keys <component>-username and <component>-password (SCRAM-SHA-512,
// workloads/shared/kafka-sasl.ts). Not optional: a missing key holds the pod at CreateContainerConfigError with the
// kubelet naming it, rather than starting it without a principal. The broker list stays the Secret's shared key.
// The operator's own lag reader reads lag-reader-username/-password (scaling/sources/kafka-brokers.ts).
import { DEPENDENCY_ENV, type ComponentName } from '../api/components.js';
import { dependencySecret, hasPerComponentCredentials } from '../api/defaults.js';
import type { KycPlatformSpec } from '../api/types.js';
import type { EnvVar } from './env.js';

export function kafkaSaslEnv(spec: KycPlatformSpec, component: ComponentName): EnvVar[] {
  const ref = dependencySecret(spec, 'kafka');
  if (!ref || !hasPerComponentCredentials(spec, 'kafka') || !DEPENDENCY_ENV.kafka.readers.includes(component)) return [];
  return [
    { name: 'KAFKA_SASL_USERNAME', valueFrom: { secretKeyRef: { name: ref.name, key: `${component}-username` } } },
    { name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: ref.name, key: `${component}-password` } } },
  ];
}
