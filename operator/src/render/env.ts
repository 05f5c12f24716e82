// The container environment of a component, per docs/workload-contract.md. Secrets are referenced with
// secretKeyRef (the operator never reads them); the user's extra variables come last and may replace
// only the variables that are not operator-managed (the schema rejects the others).
import { COMPONENTS, DEPENDENCY_ENV, isStaticComponent, type ComponentName } from '../api/components.js';
import {
  componentDependencySecret,
  componentEnabled,
  hasPerComponentCredentials,
  extraEnvFor,
  logLevelOf,
  platformSecretName,
  resourcesFor,
  trustedProxiesOf,
  type Dependency,
} from '../api/defaults.js';
import { mebibytes } from '../api/quantity.js';
import type { KycPlatform } from '../api/types.js';
import { LIVE_SETTINGS_KEY } from './configmap.js';
import { HTTP_PORT, LIVE_SETTINGS_DIR, METRICS_PORT, componentObjectName } from './meta.js';
import { kmsEnv } from './kms.js';
import { tracingEnv } from './tracing.js';
import { notificationProviderEnv } from './notification-providers.js';
import { headlessServiceName } from './service.js';
import { kafkaSaslEnv } from './kafka-sasl.js';
import { storeTlsEnv } from './store-tls.js';
import { peerScheme, tlsEnv } from './tls.js';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

/** Keys of the platform Secret and who reads them; admin credentials are optional (first admin only). */
const PLATFORM_SECRET_ENV: { key: string; env: string; readers: readonly ComponentName[]; optional: boolean }[] = [
  // Only auth signs access tokens (Ed25519 key ring): no other component holds a signing key, so a
  // compromised gateway, kyc, notification or analytics pod cannot mint a token. They verify with the
  // public keys auth publishes (AUTH_JWKS_URL below).
  { key: 'token-signing-keys', env: 'AUTH_SIGNING_KEYS', readers: ['auth'], optional: false },
  { key: 'pii-keys', env: 'PII_ENCRYPTION_KEYS', readers: ['kyc'], optional: false },
  { key: 'admin-email', env: 'ADMIN_EMAIL', readers: ['auth'], optional: true },
  { key: 'admin-password', env: 'ADMIN_PASSWORD', readers: ['auth'], optional: true },
];

/** The upstreams the gateway routes to, in COMPONENTS order. */
const UPSTREAMS = COMPONENTS.filter((c) => c !== 'gateway');

/** Node.js heap: 75 % of the container memory limit, leaving room for buffers, code and the stack. */
export function heapMebibytes(platform: KycPlatform, component: ComponentName): number {
  return Math.max(32, Math.floor(mebibytes(resourcesFor(platform.spec, component).limits.memory) * 0.75));
}

function gatewayEnv(platform: KycPlatform): EnvVar[] {
  // The headless Service of each upstream: the gateway resolves it to the ready pods and balances over
  // them (docs/workloads.md, "Load balancing"); through the ClusterIP it would see one instance.
  const upstreams = UPSTREAMS.filter((u) => componentEnabled(platform.spec, u)).map((u) => ({
    name: `UPSTREAM_${u.toUpperCase()}`,
    value: `${peerScheme(platform)}://${headlessServiceName(platform, u)}:${HTTP_PORT}`,
  }));
  return [
    ...upstreams,
    // No LB_* variables: spec.loadBalancing reaches the running gateway through the live settings
    // (render/configmap.ts), so changing it rolls no pod.
    // Empty: no proxy is trusted and the socket address is the client's (docs/workload-contract.md).
    { name: 'GATEWAY_TRUSTED_PROXIES', value: trustedProxiesOf(platform.spec).join(',') },
  ];
}

/** Whether the component reads DATABASE_URL (the spec names a PostgreSQL Secret and the component uses it). */
export function usesDatabase(platform: KycPlatform, component: ComponentName): boolean {
  return (
    componentDependencySecret(platform.spec, 'postgres', component) !== undefined && DEPENDENCY_ENV.postgres.readers.includes(component)
  );
}

export function renderEnv(platform: KycPlatform, component: ComponentName): EnvVar[] {
  const spec = platform.spec;
  const env: EnvVar[] = [
    { name: 'PORT', value: String(HTTP_PORT) },
    { name: 'METRICS_PORT', value: String(METRICS_PORT) },
    { name: 'KYC_COMPONENT', value: component },
    { name: 'KYC_PLATFORM', value: platform.metadata.name },
    { name: 'KYC_VERSION', value: spec.version },
    { name: 'LOG_LEVEL', value: logLevelOf(spec) },
    { name: 'NODE_OPTIONS', value: `--max-old-space-size=${heapMebibytes(platform, component)}` },
    { name: 'LIVE_SETTINGS_FILE', value: `${LIVE_SETTINGS_DIR}/${LIVE_SETTINGS_KEY}` },
  ];
  for (const [dependency, { env: name, readers }] of Object.entries(DEPENDENCY_ENV) as [
    Dependency,
    (typeof DEPENDENCY_ENV)[Dependency],
  ][]) {
    const ref = componentDependencySecret(spec, dependency, component);
    if (ref && readers.includes(component)) env.push({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
  }
  // Its own Kafka principal under PerComponent credentials (render/kafka-sasl.ts).
  env.push(...kafkaSaslEnv(spec, component));
  // Its own role cannot migrate: the pod's init container did, as the owner (render/migrate.ts).
  if (hasPerComponentCredentials(spec, 'postgres') && usesDatabase(platform, component))
    env.push({ name: 'DATABASE_MIGRATIONS', value: 'external' });
  const secretName = platformSecretName(spec);
  if (secretName) {
    for (const { key, env: name, readers, optional } of PLATFORM_SECRET_ENV) {
      if (!readers.includes(component)) continue;
      env.push({ name, valueFrom: { secretKeyRef: { name: secretName, key, ...(optional ? { optional: true } : {}) } } });
    }
  }
  // The KMS that holds the PII data keys, when the spec names one (render/kms.ts).
  env.push(...kmsEnv(spec, component));
  // The SMTP server and SMS gateway notification sends through, when the spec names them (render/notification-providers.ts).
  env.push(...notificationProviderEnv(spec, component));
  // Verified TLS to the stores declared `tls: Required` (render/store-tls.ts).
  env.push(...storeTlsEnv(spec, component));
  // Every other component verifies access tokens itself (defence in depth) with auth's public keys; the
  // static files of the frontend take no token.
  if (component !== 'auth' && !isStaticComponent(component))
    env.push({
      name: 'AUTH_JWKS_URL',
      value: `${peerScheme(platform)}://${componentObjectName(platform, 'auth')}:${HTTP_PORT}/.well-known/jwks.json`,
    });
  // BuiltIn TLS: serve HTTPS only and verify every peer with the mounted ca.crt (render/tls.ts).
  env.push(...tlsEnv(platform));
  // The OTLP receiver of the traces, when the spec names one (render/tracing.ts); not for static files,
  // whose only egress is DNS.
  if (!isStaticComponent(component)) env.push(...tracingEnv(spec));
  if (component === 'gateway') env.push(...gatewayEnv(platform));
  for (const extra of extraEnvFor(spec, component)) {
    const index = env.findIndex((e) => e.name === extra.name);
    if (index >= 0) env[index] = extra;
    else env.push(extra);
  }
  return env;
}
