// The notification service: consumes kyc and customer events, sends through channel providers, and
// publishes notification.requested|sent|failed through its outbox.
import { z } from 'zod';
import {
  OutboxRelay,
  authenticate,
  commonEnv,
  createKafka,
  createProducer,
  databaseEnv,
  ensureTopics,
  familyTopic,
  kafkaEnv,
  loadConfig,
  port,
  runUntilSignalled,
  startService,
  startTokenVerifier,
  tokenVerifierEnv,
} from '../shared/index.js';
import type { GatedConsumer, RunningService, StartOptions } from '../shared/index.js';
import { ContactKeyRing, ContactRepository } from './data-access/contacts.js';
import { PgNotificationErasure } from './data-access/erasure.js';
import { PgMessageLogRetention } from './data-access/retention.js';
import { NotificationRepository } from './data-access/notifications.js';
import { NOTIFICATION_SCHEMA, migrations } from './data-access/migrations.js';
import { HttpSmsProvider } from './data-access/sms-http-provider.js';
import { SmtpProvider } from './data-access/smtp-provider.js';
import { handleErasureRequest } from './domain/erasure.js';
import { DEFAULT_MESSAGE_LOG_RETENTION_DAYS, MessageLogRetention } from './domain/retention.js';
import { DEFAULT_DELIVERY_POLICY, Notifier } from './domain/notifier.js';
import { CHANNELS, InMemoryProvider } from './domain/providers.js';
import type { Channel, NotificationProvider } from './domain/providers.js';
import { notificationRoutes } from './entry-points/routes.js';
import { WebhookRepository } from './data-access/webhooks.js';
import { HttpWebhookTransport } from './data-access/webhook-http.js';
import { AllowedNetworks } from './domain/webhook-url.js';
import { DEFAULT_DISPATCH_POLICY, WebhookDispatcher, webhookPayload } from './domain/webhooks.js';
import { webhookRoutes } from './entry-points/webhook-routes.js';
import { WebhookWorker } from './entry-points/webhook-worker.js';

/** A comma-separated list, its entries trimmed, empty ones dropped. */
const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );

const channelList = commaList.refine(
  (list) => list.every((c) => (CHANNELS as readonly string[]).includes(c)),
  'must list email and/or sms',
);

export const notificationEnv = commonEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(tokenVerifierEnv.shape)
  .extend({
    NOTIFICATION_CHANNELS: channelList.prefault('email,sms'),
    /** Channels whose development provider fails every send (to exercise notification.failed). */
    NOTIFICATION_FAIL_CHANNELS: channelList,
    /** Simulated latency of the development provider per send (tests use it to crash mid-send). */
    NOTIFICATION_SEND_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
    /**
     * E-mail through SMTP (docs/notifications.md, "Configuration"): set SMTP_HOST and the e-mail channel
     * sends through it instead of the development provider. The operator fills these from
     * spec.dependencies.smtp's Secret.
     */
    SMTP_HOST: z.string().min(1).optional(),
    SMTP_PORT: port.default(587),
    SMTP_FROM: z.string().min(3).optional(),
    /** none: plain (a relay on the node, Mailpit); starttls: upgrade required; tls: TLS from the start (465). */
    SMTP_TLS: z.enum(['none', 'starttls', 'tls']).default('starttls'),
    SMTP_USERNAME: z.string().min(1).optional(),
    SMTP_PASSWORD: z.string().min(1).optional(),
    /** SMS through an HTTP gateway (JSON POST with a bearer token); from spec.dependencies.sms's Secret. */
    SMS_GATEWAY_URL: z.url({ protocol: /^https?$/ }).optional(),
    SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
    /** Per SMTP step or SMS request. */
    NOTIFICATION_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** The recipients' addresses are sealed under this key ring (keyId:base64-32-bytes[,...]). */
    NOTIFICATION_CONTACT_KEYS: z
      .string()
      .superRefine((value, ctx) => {
        try {
          new ContactKeyRing(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .optional(),
    /** The message log's retention clock (docs/retention.md): rows older than this are deleted by the sweep. */
    NOTIFICATION_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_MESSAGE_LOG_RETENTION_DAYS),
    NOTIFICATION_RETENTION_SWEEP_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
    NOTIFICATION_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(DEFAULT_DELIVERY_POLICY.retry.attempts),
    NOTIFICATION_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(DEFAULT_DELIVERY_POLICY.retry.baseDelayMs),
    NOTIFICATION_RETRY_MAX_MS: z.coerce.number().int().min(1).max(300_000).default(DEFAULT_DELIVERY_POLICY.retry.maxDelayMs),
    NOTIFICATION_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(DEFAULT_DELIVERY_POLICY.breaker.failureThreshold),
    NOTIFICATION_BREAKER_OPEN_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_DELIVERY_POLICY.breaker.openMs),
    /**
     * Outbound webhooks (docs/customer-api.md, "Webhooks"), on wherever NOTIFICATION_CONTACT_KEYS is set
     * (it seals the signing secrets). Plain http only on development platforms (the operator sets it);
     * the allowed networks (CIDRs) are private ranges webhooks may reach nonetheless.
     */
    NOTIFICATION_WEBHOOK_ALLOW_HTTP: z.enum(['true', 'false']).default('false'),
    NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS: commaList.superRefine((list, ctx) => {
      try {
        new AllowedNetworks(list);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
    NOTIFICATION_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    NOTIFICATION_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(DEFAULT_DISPATCH_POLICY.retry.attempts),
    NOTIFICATION_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(DEFAULT_DISPATCH_POLICY.retry.baseDelayMs),
    NOTIFICATION_WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).max(86_400_000).default(DEFAULT_DISPATCH_POLICY.retry.maxDelayMs),
    /** How often the dispatcher looks for due deliveries. */
    NOTIFICATION_WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  })
  .superRefine((env, ctx) => {
    const need = (name: keyof typeof env, why: string) => {
      if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is required ${why}` });
    };
    if (env.SMTP_HOST !== undefined) need('SMTP_FROM', 'with SMTP_HOST');
    if (env.SMS_GATEWAY_URL !== undefined) need('SMS_GATEWAY_TOKEN', 'with SMS_GATEWAY_URL');
    if (env.SMTP_HOST !== undefined || env.SMS_GATEWAY_URL !== undefined)
      need('NOTIFICATION_CONTACT_KEYS', "with a real provider (SMTP_HOST, SMS_GATEWAY_URL): it seals the recipients' addresses");
    if ((env.SMTP_USERNAME === undefined) !== (env.SMTP_PASSWORD === undefined))
      ctx.addIssue({ code: 'custom', path: ['SMTP_PASSWORD'], message: 'SMTP_USERNAME and SMTP_PASSWORD go together' });
  });

export type NotificationConfig = z.infer<typeof notificationEnv>;

/**
 * The provider of each configured channel: SMTP and the HTTP SMS gateway where they are configured, the
 * development provider (records, sends nothing) otherwise.
 */
function providersFor(config: NotificationConfig, contacts: ContactRepository | undefined): NotificationProvider[] {
  const failing = new Set<Channel>(config.NOTIFICATION_FAIL_CHANNELS as Channel[]);
  const timeoutMs = config.NOTIFICATION_PROVIDER_TIMEOUT_MS;
  return (config.NOTIFICATION_CHANNELS as Channel[]).map((channel) => {
    if (channel === 'email' && config.SMTP_HOST !== undefined && config.SMTP_FROM !== undefined && contacts) {
      const { SMTP_HOST: host, SMTP_PORT: port, SMTP_FROM: from, SMTP_TLS: tls, SMTP_USERNAME: user, SMTP_PASSWORD: password } = config;
      return new SmtpProvider({ host, port, from, tls, user, password, timeoutMs }, contacts);
    }
    if (channel === 'sms' && config.SMS_GATEWAY_URL !== undefined && config.SMS_GATEWAY_TOKEN !== undefined && contacts)
      return new HttpSmsProvider({ url: config.SMS_GATEWAY_URL, token: config.SMS_GATEWAY_TOKEN, timeoutMs }, contacts);
    return new InMemoryProvider(channel, failing.has(channel), config.NOTIFICATION_SEND_DELAY_MS);
  });
}

export type { StartOptions };

/** `providers`: the channels on the development provider, whose records tests read. */
export type RunningNotification = RunningService<{
  consumer: GatedConsumer;
  providers: InMemoryProvider[];
  notifier: Notifier;
  retention: MessageLogRetention;
}>;

export async function startNotification(options: StartOptions = {}): Promise<RunningNotification> {
  const config = loadConfig(notificationEnv, options.env);
  return startService({
    component: 'notification',
    config,
    options,
    database: {
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      poolMin: config.DATABASE_POOL_MIN,
      schema: NOTIFICATION_SCHEMA,
      migrations,
    },
    wire: async ({ service, pool, logger, consume, closing, onShutdown, liveSettings }) => {
      const kafka = createKafka(config.KAFKA_BROKERS, 'kyc-notification', logger);
      const topics = [
        familyTopic('kyc', config.KAFKA_TOPIC_PREFIX),
        familyTopic('customer', config.KAFKA_TOPIC_PREFIX),
        familyTopic('notification', config.KAFKA_TOPIC_PREFIX),
      ];
      await ensureTopics(kafka, topics, logger);
      const producer = await createProducer(kafka);
      onShutdown('producer', () => producer.disconnect());
      const relay = new OutboxRelay({ pool, schema: NOTIFICATION_SCHEMA, producer, logger, metrics: service.metrics });
      relay.start();
      onShutdown('outbox', () => relay.stop());
      const repository = new NotificationRepository(pool, config.KAFKA_TOPIC_PREFIX);
      const contacts =
        config.NOTIFICATION_CONTACT_KEYS !== undefined
          ? new ContactRepository(pool, new ContactKeyRing(config.NOTIFICATION_CONTACT_KEYS))
          : undefined;
      const providers = providersFor(config, contacts);
      const webhooks =
        config.NOTIFICATION_CONTACT_KEYS !== undefined
          ? new WebhookRepository(pool, new ContactKeyRing(config.NOTIFICATION_CONTACT_KEYS))
          : undefined;
      const allowed = new AllowedNetworks(config.NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS);
      if (webhooks) {
        const policy = {
          ...DEFAULT_DISPATCH_POLICY,
          retry: {
            attempts: config.NOTIFICATION_WEBHOOK_ATTEMPTS,
            baseDelayMs: config.NOTIFICATION_WEBHOOK_RETRY_BASE_MS,
            maxDelayMs: config.NOTIFICATION_WEBHOOK_RETRY_MAX_MS,
          },
          // A claimed delivery is hidden well past its request's timeout.
          leaseMs: config.NOTIFICATION_WEBHOOK_TIMEOUT_MS * 3,
        };
        const transport = new HttpWebhookTransport({ timeoutMs: config.NOTIFICATION_WEBHOOK_TIMEOUT_MS, allowed });
        const dispatcher = new WebhookDispatcher(webhooks, transport, logger, service.metrics, policy);
        const worker = new WebhookWorker(dispatcher, policy.batch, config.NOTIFICATION_WEBHOOK_POLL_MS, logger);
        worker.start();
        onShutdown('webhooks', () => worker.close());
      }
      for (const provider of providers) if (provider instanceof SmtpProvider) onShutdown('smtp', () => provider.close());
      // notifications-email, notifications-sms: a channel switched off records its messages as suppressed.
      const notifier = new Notifier(repository, providers, logger, service.metrics, liveSettings, {
        retry: {
          attempts: config.NOTIFICATION_SEND_ATTEMPTS,
          baseDelayMs: config.NOTIFICATION_RETRY_BASE_MS,
          maxDelayMs: config.NOTIFICATION_RETRY_MAX_MS,
        },
        breaker: { failureThreshold: config.NOTIFICATION_BREAKER_FAILURES, openMs: config.NOTIFICATION_BREAKER_OPEN_MS },
      });
      const erasure = new PgNotificationErasure(pool, config.KAFKA_TOPIC_PREFIX);
      const retention = new MessageLogRetention(new PgMessageLogRetention(pool), config.NOTIFICATION_LOG_RETENTION_DAYS);
      const sweep = setInterval(() => {
        retention
          .run()
          .then((run) => {
            if (run.messages > 0) logger.info(run, 'message log rows past their retention deleted');
          })
          .catch((error: unknown) => logger.warn({ err: error }, 'message log retention sweep failed'));
      }, config.NOTIFICATION_RETENTION_SWEEP_MS);
      sweep.unref();
      onShutdown('retention-sweep', () => clearInterval(sweep));
      const consumer = await consume({
        kafka,
        groupId: `${config.KAFKA_TOPIC_PREFIX}kyc-notification`,
        topics: topics.slice(0, 2),
        // At least once: an event whose handling keeps failing (e.g. PostgreSQL away) is retried, never
        // skipped, and its offset is committed only after every channel's outcome is recorded.
        retryForever: true,
        // customer.erasure.requested erases the customer's contacts here, customer.legal_hold.* stop or restart the
        // message log's clock (docs/retention.md); any other event notifies.
        handle: async (event) => {
          if (await handleErasureRequest(event, erasure, logger)) return;
          if (await retention.handle(event)) return;
          await notifier.handle(event);
          // Queued before the offset is committed; an event seen again queues nothing more.
          const payload = webhookPayload(event);
          if (webhooks && payload !== undefined) await webhooks.enqueue(event.id, event.type, payload);
        },
      });
      const tokens = closing('token-verifier', await startTokenVerifier(config, logger, 'notification', service.lifecycle, service.tls));
      service.app.use(authenticate(tokens.verifier));
      service.app.use(notificationRoutes(repository, contacts));
      if (webhooks) service.app.use(webhookRoutes(webhooks, { allowHttp: config.NOTIFICATION_WEBHOOK_ALLOW_HTTP === 'true', allowed }));
      return { consumer, providers: providers.filter((p): p is InMemoryProvider => p instanceof InMemoryProvider), notifier, retention };
    },
  });
}

export const main = (): Promise<void> => runUntilSignalled(() => startNotification());
