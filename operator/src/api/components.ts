// The five bundled services (DESIGN.md fixed names), in the order they are rendered and reported.
export const COMPONENTS = ['gateway', 'kyc', 'auth', 'notification', 'analytics'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export function isComponentName(value: string): value is ComponentName {
  return (COMPONENTS as readonly string[]).includes(value);
}

/** The components that consume Kafka topics, each with a consumer group of its own (scaling/kafka-lag.ts). */
export const KAFKA_CONSUMERS = ['kyc', 'notification', 'analytics'] as const satisfies readonly ComponentName[];
export type KafkaConsumer = (typeof KAFKA_CONSUMERS)[number];

export function isKafkaConsumer(name: ComponentName): name is KafkaConsumer {
  return (KAFKA_CONSUMERS as readonly ComponentName[]).includes(name);
}
