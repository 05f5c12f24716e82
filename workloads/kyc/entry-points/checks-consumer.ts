// The automatic checks run here, off the request path: a Kafka consumer of kyc.application.submitted.
import { familyTopic, startConsumer } from '../../shared/index.js';
import type { Kafka, Logger, Metrics, RunningConsumer } from '../../shared/index.js';
import type { KycService } from '../domain/kyc-service.js';

export interface ChecksConsumerOptions {
  kafka: Kafka;
  service: KycService;
  logger: Logger;
  metrics?: Metrics;
  topicPrefix: string;
}

export function checksConsumerGroup(topicPrefix: string): string {
  return `${topicPrefix}kyc-automatic-checks`;
}

export function startChecksConsumer(options: ChecksConsumerOptions): Promise<RunningConsumer> {
  return startConsumer({
    kafka: options.kafka,
    groupId: checksConsumerGroup(options.topicPrefix),
    topics: [familyTopic('kyc', options.topicPrefix)],
    logger: options.logger,
    ...(options.metrics && { metrics: options.metrics }),
    maxAttempts: 5,
    handle: async (event) => {
      if (event.type !== 'kyc.application.submitted') return;
      const result = await options.service.runChecks(event.subject);
      options.logger.info({ applicationId: event.subject, result }, 'automatic checks');
    },
  });
}
