// The other services' answers to an erasure request (docs/retention.md): a Kafka consumer of
// notification.erasure.completed that records the notification service's part in the request. Recording
// is idempotent (a part recorded once stays), so a redelivered event changes nothing.
import { familyTopic, startConsumer } from '../../shared/index.js';
import type { EventEnvelope, Kafka, Logger, Metrics, RunningConsumer } from '../../shared/index.js';
import type { Erasure } from '../domain/erasure.js';

export function erasureOutcomesGroup(topicPrefix: string): string {
  return `${topicPrefix}kyc-erasure-outcomes`;
}

export async function handleErasureOutcome(event: EventEnvelope, erasure: Pick<Erasure, 'recordServiceOutcome'>): Promise<boolean> {
  if (event.type !== 'notification.erasure.completed') return false;
  return erasure.recordServiceOutcome('notification', event.data);
}

export function startErasureOutcomesConsumer(options: {
  kafka: Kafka;
  erasure: Erasure;
  logger: Logger;
  metrics?: Metrics;
  topicPrefix: string;
}): Promise<RunningConsumer> {
  return startConsumer({
    kafka: options.kafka,
    groupId: erasureOutcomesGroup(options.topicPrefix),
    topics: [familyTopic('notification', options.topicPrefix)],
    logger: options.logger,
    ...(options.metrics && { metrics: options.metrics }),
    // An outcome is never skipped: one failing to be recorded (PostgreSQL away) is tried again until it is.
    retryForever: true,
    handle: async (event) => {
      if (await handleErasureOutcome(event, options.erasure))
        options.logger.info({ erasureRequestId: event.data.erasureRequestId }, 'erasure request: the notification service erased its part');
    },
  });
}
