// The automatic checks run here, off the request path: a Kafka consumer of kyc.application.submitted. The
// same consumer records the other services' erasure outcomes (notification.erasure.completed,
// handleErasureOutcome below): one group instead of two keeps the service's start and stop as quick as they
// were (each consumer's stop waits out its fetch), at the price that the outcomes wait too while the
// automatic-checks flag pauses it (docs/retention.md).
import { familyTopic, startConsumer, unavailableDependency } from '../../shared/index.js';
import type { EventEnvelope, Kafka, Logger, Metrics, RunningConsumer } from '../../shared/index.js';
import type { Erasure } from '../domain/erasure.js';
import type { KycService } from '../domain/kyc-service.js';
import { coreBankingTopic, handleRelationshipEnded } from './relationship-events.js';

export interface ChecksConsumerOptions {
  kafka: Kafka;
  service: KycService;
  /** With it, notification.events is read too and the erasure outcomes are recorded. */
  erasure?: Erasure;
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
    topics: [
      familyTopic('kyc', options.topicPrefix),
      // The erasure outcomes, and core banking's word that a relationship ended (relationship-events.ts).
      ...(options.erasure ? [familyTopic('notification', options.topicPrefix), coreBankingTopic(options.topicPrefix)] : []),
    ],
    logger: options.logger,
    ...(options.metrics && { metrics: options.metrics }),
    // Each delivery already retries the checks CHECK_ATTEMPTS times; these attempts cover a failure to
    // record the referral itself. PostgreSQL away counts against neither: it is waited out (kafka.ts).
    maxAttempts: 5,
    handle: async (event) => {
      if (options.erasure && (await handleErasureOutcome(event, options.erasure))) {
        options.logger.info(
          { erasureRequestId: event.data.erasureRequestId },
          'erasure request: the notification service reported its part',
        );
        return;
      }
      if (options.erasure && (await handleRelationshipEnded(event, options.erasure, options.logger))) return;
      await handleSubmitted(event, options.service, options.logger);
    },
  });
}

/**
 * Records notification's part of an erasure request (docs/retention.md); false for any other event. Recording is
 * idempotent (a part recorded once stays), so a redelivered event changes nothing.
 */
export async function handleErasureOutcome(event: EventEnvelope, erasure: Pick<Erasure, 'recordServiceOutcome'>): Promise<boolean> {
  if (event.type !== 'notification.erasure.completed') return false;
  await erasure.recordServiceOutcome('notification', event.data);
  return true;
}

export const CHECK_ATTEMPTS = 5;

/**
 * Runs the automatic checks for a submitted application, up to `attempts` times; when every attempt
 * fails, the application is referred to manual review with the reason rather than left in
 * `processing`: what the machine cannot decide, a person does (docs/kyc.md, "Automatic checks").
 */
export async function handleSubmitted(
  event: EventEnvelope,
  service: Pick<KycService, 'runChecks' | 'referForManualReview'>,
  logger: Logger,
  options: { attempts?: number; backoffMs?: number } = {},
): Promise<'done' | 'skipped' | 'referred'> {
  if (event.type !== 'kyc.application.submitted') return 'skipped';
  const attempts = options.attempts ?? CHECK_ATTEMPTS;
  const backoffMs = options.backoffMs ?? 200;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await service.runChecks(event.subject);
      logger.info({ applicationId: event.subject, result, attempt }, 'automatic checks');
      return result;
    } catch (error) {
      // PostgreSQL away is no verdict on the application, and the referral could not be recorded either:
      // the consumer waits it out and delivers the event again (kafka.ts), whose checks start afresh.
      if (unavailableDependency(error) === 'database') throw error;
      if (attempt < attempts) {
        logger.warn({ applicationId: event.subject, attempt, err: error }, 'automatic checks failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoffMs * attempt));
        continue;
      }
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const referred = await service.referForManualReview(event.subject, { code: 'automatic_checks_failed', attempts, error: message });
      logger.error(
        { applicationId: event.subject, attempts, err: error, referred },
        'automatic checks failed every attempt; referred to manual review',
      );
      return referred === 'done' ? 'referred' : 'skipped';
    }
  }
}
