import type { Dependency } from './defaults.js';

// The six bundled components, in the order they are rendered and reported; their names are fixed (outside
// tests address the objects by them: docs/operator.md). The first five are the API's services; `frontend`
// serves the web app's static files, behind the gateway (docs/frontend.md, "How it runs").
export const COMPONENTS = ['gateway', 'kyc', 'auth', 'notification', 'analytics', 'frontend'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export function isComponentName(value: string): value is ComponentName {
  return (COMPONENTS as readonly string[]).includes(value);
}

/** The components that consume Kafka topics, each with a consumer group of its own (DEFAULT_CONSUMERS below; scaling/sources/kafka-lag.ts measures its lag). */
export const KAFKA_CONSUMERS = ['kyc', 'notification', 'analytics'] as const satisfies readonly ComponentName[];
export type KafkaConsumer = (typeof KAFKA_CONSUMERS)[number];

export function isKafkaConsumer(name: ComponentName): name is KafkaConsumer {
  return (KAFKA_CONSUMERS as readonly ComponentName[]).includes(name);
}

/**
 * The components that only serve public static files: no dependency, no platform secret, no token keys (the
 * files are the same for everyone) and no traces, so DNS is their only egress (docs/frontend.md, "How it runs").
 */
export const STATIC_COMPONENTS = ['frontend'] as const satisfies readonly ComponentName[];

export function isStaticComponent(name: ComponentName): boolean {
  return (STATIC_COMPONENTS as readonly ComponentName[]).includes(name);
}

/** The components each component calls over HTTP (the gateway routes; the services fetch auth's JWKS). */
export const CALLS: Readonly<Record<ComponentName, readonly ComponentName[]>> = {
  gateway: ['kyc', 'auth', 'notification', 'analytics', 'frontend'],
  kyc: ['auth'],
  auth: [],
  notification: ['auth'],
  analytics: ['auth'],
  frontend: [],
};

/** Who may call each component on its http port; 'anywhere' means any source, in or outside the cluster. */
export const ALLOWED_CALLERS: Readonly<Record<ComponentName, 'anywhere' | readonly ComponentName[]>> = {
  gateway: 'anywhere',
  kyc: callersOf('kyc'),
  auth: callersOf('auth'),
  notification: callersOf('notification'),
  analytics: callersOf('analytics'),
  frontend: callersOf('frontend'),
};

function callersOf(component: ComponentName): ComponentName[] {
  return (Object.keys(CALLS) as ComponentName[]).filter((caller) => CALLS[caller].includes(component));
}

interface Consumer {
  group: string;
  topics: string[] | undefined;
}

/** The group and topics a component consumes by default (workloads/*: the consumers' own names). */
export const DEFAULT_CONSUMERS: Partial<Record<ComponentName, Consumer>> = {
  kyc: { group: 'kyc-automatic-checks', topics: ['kyc.events'] },
  notification: { group: 'kyc-notification', topics: ['kyc.events', 'customer.events'] },
  // analytics reads every event family: measure whatever the group has committed offsets for.
  analytics: { group: 'kyc-analytics', topics: undefined },
} satisfies Record<KafkaConsumer, Consumer>;

/** Which dependencies each component reads (contract: DATABASE_URL, REDIS_URL, KAFKA_BROKERS); the egress NetworkPolicies follow it. */
export const DEPENDENCY_ENV: Record<Dependency, { env: string; readers: readonly ComponentName[] }> = {
  postgres: { env: 'DATABASE_URL', readers: ['kyc', 'auth', 'notification', 'analytics'] },
  redis: { env: 'REDIS_URL', readers: ['gateway', 'kyc', 'auth', 'notification', 'analytics'] },
  kafka: { env: 'KAFKA_BROKERS', readers: ['kyc', 'notification', 'analytics'] },
};

/**
 * The keys of the Kafka Secret with the lag reader's read-only SCRAM user, under PerComponent credentials:
 * the operator's builtin lag reader and KEDA's kafka triggers sign in with it (docs/security.md, "Kafka").
 */
export const LAG_READER_KEYS = { username: 'lag-reader-username', password: 'lag-reader-password' } as const;
