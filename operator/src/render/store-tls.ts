// TLS to the data stores (docs/security.md, "Data in transit to the stores"): what spec.dependencies.<name>.tls
// puts in a pod. Required: the container gets <X>_TLS=required (the service refuses a plaintext URL at start-up,
// workloads/shared/store-tls.ts) and <X>_CA_FILE, the key ca.crt of the dependency's own Secret mounted read-only
// — not optional, so a Secret without it holds the pod in ContainerCreating with the kubelet's event naming the
// key, rather than letting it fall back to any other trust. The operator never reads that Secret (but Kafka's).
import type { ComponentName } from '../api/components.js';
import { DEPENDENCY_ENV } from '../api/components.js';
import { dependencySecret, profileOf, type Dependency } from '../api/defaults.js';
import type { KycPlatformSpec } from '../api/types.js';
import type { EnvVar } from './env.js';

/** The key of each dependency Secret that holds the CA bundle of the store's certificate. */
export const STORE_CA_KEY = 'ca.crt';
/** Where each store's CA is mounted: <dir>/<dependency>/ca.crt. */
export const STORE_CA_DIR = '/var/run/kyc/stores';

export const STORE_TLS_DEPENDENCIES = ['postgres', 'redis', 'kafka'] as const satisfies readonly Dependency[];
export type StoreDependency = (typeof STORE_TLS_DEPENDENCIES)[number];

/** The variables the services read (docs/workload-contract.md). */
export const STORE_TLS_ENV: Record<StoreDependency, { mode: string; ca: string }> = {
  postgres: { mode: 'DATABASE_TLS', ca: 'DATABASE_CA_FILE' },
  redis: { mode: 'REDIS_TLS', ca: 'REDIS_CA_FILE' },
  kafka: { mode: 'KAFKA_TLS', ca: 'KAFKA_CA_FILE' },
};

export const REASON_PLAINTEXT_DEPENDENCY = 'PlaintextDependency';

export function storeTlsRequired(spec: KycPlatformSpec, dependency: StoreDependency): boolean {
  return spec.dependencies?.[dependency]?.tls === 'Required' && dependencySecret(spec, dependency) !== undefined;
}

function volumeName(dependency: StoreDependency): string {
  return `store-ca-${dependency}`;
}

/** The Required stores among `dependencies` (default: those the component reads). */
function requiredStores(spec: KycPlatformSpec, component: ComponentName | undefined, only?: readonly StoreDependency[]): StoreDependency[] {
  return (only ?? STORE_TLS_DEPENDENCIES).filter(
    (d) => storeTlsRequired(spec, d) && (component === undefined || DEPENDENCY_ENV[d].readers.includes(component)),
  );
}

/** The TLS variables of a container that reads these stores (a component: those it reads; a job: `only`). */
export function storeTlsEnv(spec: KycPlatformSpec, component?: ComponentName, only?: readonly StoreDependency[]): EnvVar[] {
  return requiredStores(spec, component, only).flatMap((d) => [
    { name: STORE_TLS_ENV[d].mode, value: 'required' },
    { name: STORE_TLS_ENV[d].ca, value: `${STORE_CA_DIR}/${d}/${STORE_CA_KEY}` },
  ]);
}

export function storeCaVolumeMounts(spec: KycPlatformSpec, component?: ComponentName, only?: readonly StoreDependency[]): object[] {
  return requiredStores(spec, component, only).map((d) => ({ name: volumeName(d), mountPath: `${STORE_CA_DIR}/${d}`, readOnly: true }));
}

export function storeCaVolumes(spec: KycPlatformSpec, component?: ComponentName, only?: readonly StoreDependency[]): object[] {
  return requiredStores(spec, component, only).map((d) => ({
    name: volumeName(d),
    secret: { secretName: dependencySecret(spec, d)!.name, items: [{ key: STORE_CA_KEY, path: STORE_CA_KEY }], defaultMode: 0o444 },
  }));
}

/**
 * Why the production profile refuses this spec: a store declared `tls: Disabled` (plaintext); undefined when it
 * does not. A store without `tls` is not refused: its URL may well ask for TLS, and the operator does not read it.
 */
export function plaintextDependencyRefusal(spec: KycPlatformSpec): string | undefined {
  if (profileOf(spec) !== 'production') return undefined;
  const plaintext = STORE_TLS_DEPENDENCIES.filter((d) => spec.dependencies?.[d]?.tls === 'Disabled');
  if (plaintext.length === 0) return undefined;
  const fields = plaintext.map((d) => `spec.dependencies.${d}.tls`).join(', ');
  return (
    `the production profile refuses plaintext connections to the stores, and ${fields} ${plaintext.length > 1 ? 'are' : 'is'} Disabled: ` +
    `set ${plaintext.length > 1 ? 'them' : 'it'} to Required, with TLS URLs in the Secret (sslmode=verify-full, rediss://, the brokers' TLS listeners) ` +
    `and the CA bundle of the stores' certificates under the key ${STORE_CA_KEY} of the same Secret (docs/security.md, "Data in transit to the stores"); nothing is rolled out until then`
  );
}
