// What notification gets of spec.dependencies.smtp and .sms (docs/notifications.md, "Configuration"): the
// provider settings from the Secret each names, as secretKeyRefs (the operator never reads them), the
// key ring that seals the recipients' addresses from the platform Secret, and an egress rule to each
// provider's peers. Without either, nothing: notification keeps its development provider, as before.
// spec.notifications.webhooks adds the integrators' webhook receivers to the egress rule (docs/customer-api.md,
// "Webhooks"), the key ring that seals their signing secrets, and plain http on a development platform.
import type { ComponentName } from '../api/components.js';
import { platformSecretName, profileOf } from '../api/defaults.js';
import { NOTIFICATION_PROVIDER_PORT_DEFAULTS } from '../api/schema.js';
import type { KycPlatformSpec, NetworkPeer } from '../api/types.js';
import type { EnvVar } from './env.js';

type Provider = keyof typeof NOTIFICATION_PROVIDER_PORT_DEFAULTS;

/** Keys of each provider's Secret; workloads/notification/main.ts checks the combinations. */
const PROVIDER_SECRET_ENV: Record<Provider, { key: string; env: string; optional: boolean }[]> = {
  smtp: [
    { key: 'host', env: 'SMTP_HOST', optional: false },
    { key: 'from', env: 'SMTP_FROM', optional: false },
    { key: 'port', env: 'SMTP_PORT', optional: true },
    { key: 'tls', env: 'SMTP_TLS', optional: true },
    { key: 'username', env: 'SMTP_USERNAME', optional: true },
    { key: 'password', env: 'SMTP_PASSWORD', optional: true },
  ],
  sms: [
    { key: 'url', env: 'SMS_GATEWAY_URL', optional: false },
    { key: 'token', env: 'SMS_GATEWAY_TOKEN', optional: false },
  ],
};
const PROVIDERS = Object.keys(PROVIDER_SECRET_ENV) as Provider[];

const secretEnv = (secret: string, key: string, env: string, optional: boolean): EnvVar => ({
  name: env,
  valueFrom: { secretKeyRef: { name: secret, key, ...(optional ? { optional: true } : {}) } },
});

export function notificationProviderEnv(spec: KycPlatformSpec, component: ComponentName): EnvVar[] {
  if (component !== 'notification') return [];
  const env: EnvVar[] = [];
  for (const provider of PROVIDERS) {
    const secret = spec.dependencies?.[provider]?.secretRef.name;
    if (secret === undefined) continue;
    for (const { key, env: name, optional } of PROVIDER_SECRET_ENV[provider]) env.push(secretEnv(secret, key, name, optional));
  }
  // A real provider sends to addresses kept sealed under this ring: required (the pod does not start
  // without the key, rather than failing every message).
  // The same ring seals the webhooks' signing secrets: without it the service offers no webhook API.
  const webhooks = spec.notifications?.webhooks !== undefined;
  const platformSecret = platformSecretName(spec);
  if ((env.length > 0 || webhooks) && platformSecret !== undefined)
    env.push(secretEnv(platformSecret, 'contact-keys', 'NOTIFICATION_CONTACT_KEYS', false));
  if (webhooks && profileOf(spec) === 'development') env.push({ name: 'NOTIFICATION_WEBHOOK_ALLOW_HTTP', value: 'true' });
  return env;
}

/** The webhook receivers' port when spec.notifications.webhooks.ports is absent. */
const WEBHOOK_PORT_DEFAULT = 443;

/**
 * Each configured provider's peers and ports for notification's egress policy, then the webhook receivers'
 * (empty peers: fail closed).
 */
export function notificationProviderNetwork(spec: KycPlatformSpec, component: ComponentName): { peers: NetworkPeer[]; ports: number[] }[] {
  if (component !== 'notification') return [];
  const providers = PROVIDERS.flatMap((provider) => {
    const dependency = spec.dependencies?.[provider];
    if (!dependency) return [];
    const ports = dependency.ports && dependency.ports.length > 0 ? dependency.ports : [NOTIFICATION_PROVIDER_PORT_DEFAULTS[provider]];
    return [{ peers: dependency.networkPeers ?? [], ports }];
  });
  const webhooks = spec.notifications?.webhooks;
  if (!webhooks) return providers;
  const ports = webhooks.ports && webhooks.ports.length > 0 ? webhooks.ports : [WEBHOOK_PORT_DEFAULT];
  return [...providers, { peers: webhooks.egress ?? [], ports }];
}
