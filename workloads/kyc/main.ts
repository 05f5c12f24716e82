// The kyc service's own wiring: the key ring and watchlist, Kafka (outbox relay + automatic-checks
// consumer, which connect in the background), the sweeps, the key rotation pass and the routes; start-up
// and drain are shared (../shared/startup.ts). `workloads/main.ts kyc` calls `main`; the component tests
// call `startKyc`.
import { randomUUID } from 'node:crypto';
import client from 'prom-client';
import { PostgresIdempotencyStore, pauseWhileOff, runUntilSignalled, startService, startTokenVerifier } from '../shared/index.js';
import type { RunningService, StartOptions } from '../shared/index.js';
import { type KycConfig, loadKycConfig } from './config.js';
import { KYC_SCHEMA, migrations } from './data-access/migrations.js';
import { KeyRotation } from './data-access/key-rotation.js';
import { PgOutboxBacklog } from './data-access/outbox-backlog.js';
import { PgKycStore } from './data-access/pg-store.js';
import { SealedIdempotencyStore } from './data-access/sealed-idempotency-store.js';
import { loadWatchlist } from './data-access/watchlist.js';
import { KycService } from './domain/kyc-service.js';
import { parseKeyRing } from './domain/protection/key-ring.js';
import { KycMessaging } from './entry-points/messaging.js';
import { type PiiKeys, openPiiKeys, registerParkingMetrics } from './pii-keys.js';
import { REDUCED_FEATURES_HEADER } from '../shared/service-mode.js';
import { kycRoutes } from './entry-points/routes.js';
import { Erasure } from './domain/erasure.js';
import { PgErasureStore } from './data-access/pg-erasure-store.js';

export type StartKycOptions = StartOptions;

export type RunningKyc = RunningService<{
  kyc: KycService;
  /** DPDP erasure and the retention sweep (docs/retention.md). */
  erasure: Erasure;
  /** Kafka connects in the background; `messaging.ready` resolves once relay and consumer run. */
  messaging: KycMessaging;
  /** Resolves when the start-up pass moving PII off older master keys is done. */
  keyRotation: Promise<void>;
  /** The PII key ring in use; with a KMS, `rewrapped` resolves when the start-up re-wrap pass is done. */
  piiKeys: PiiKeys;
  config: KycConfig;
}>;

/** Documents are sent base64-encoded in JSON: 2 MiB of content is about 2.8 MB of body. */
const BODY_LIMIT = '4mb';

export async function startKyc(options: StartKycOptions = {}): Promise<RunningKyc> {
  const config = loadKycConfig(options.env);
  // Both fail before anything is opened when the configuration names a bad ring or watchlist.
  const envKeyRing = parseKeyRing(config.PII_ENCRYPTION_KEYS);
  const watchlist = loadWatchlist(config.KYC_WATCHLIST_PATH);
  const running = await startService({
    component: 'kyc',
    config,
    options,
    http: { bodyLimit: BODY_LIMIT },
    // Kafka is not a health dependency: the outbox keeps events while it is away.
    // Pipelined: a use case's transaction sends several statements per round trip (PgKycStore.transaction).
    database: {
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      poolMin: config.DATABASE_POOL_MIN,
      schema: KYC_SCHEMA,
      migrations,
      pipeline: true,
    },
    wire: async ({ service, pool, logger, closing, onShutdown, liveSettings, colorGate }) => {
      // With a KMS the ring's keys are data keys it unwraps (docs/security.md, "Keys held by a KMS").
      const piiKeys = await openPiiKeys(config, envKeyRing, pool, logger);
      onShutdown('pii-keys', () => piiKeys.stop());
      const keyRing = piiKeys.ring;
      // An old master key must stay in the ring until nothing is encrypted with it any more (the rotation
      // pass below moves records to the current key; idempotent responses are kept 24 h and move too).
      // The settled ring: a pass that starts while the KMS answers never moves records under a parked key.
      const rotation = new KeyRotation(pool, KYC_SCHEMA, piiKeys.settled);
      const missing = await rotation.missingKeys();
      if (missing.length > 0) {
        throw new Error(
          `PII_ENCRYPTION_KEYS lacks master key id(s) ${missing.join(', ')} that stored records are still encrypted with; ` +
            'keep them in the ring (after the current key) until the rotation pass has moved every record',
        );
      }
      const outcomes = service.metrics.counter('kyc_applications_total', 'KYC applications by outcome', ['outcome']);
      const kyc = new KycService({
        store: new PgKycStore({ pool, schema: KYC_SCHEMA, keyRing, topicPrefix: config.KAFKA_TOPIC_PREFIX }),
        watchlist: watchlist.entries,
        draftTtlDays: config.KYC_DRAFT_TTL_DAYS,
        resubmissionTtlDays: config.KYC_RESUBMISSION_TTL_DAYS,
        maxOpenDrafts: config.KYC_MAX_OPEN_DRAFTS,
        // new-applications, document-upload, sanctions-screening (docs/api.md, "Feature flags").
        features: liveSettings,
        onOutcome: (outcome) => outcomes.inc({ outcome }),
        // Applications whose PII was parked while the KMS was away (docs/security.md, "Writes while the KMS is away").
        ...(piiKeys.parked && { parked: piiKeys.parked }),
      });

      // DPDP erasure and the retention of KYC records (docs/retention.md).
      const erasure = new Erasure(new PgErasureStore({ pool, schema: KYC_SCHEMA, topicPrefix: config.KAFKA_TOPIC_PREFIX }), randomUUID);

      const messaging = new KycMessaging({
        brokers: config.KAFKA_BROKERS,
        clientId: `kyc-${config.KYC_PLATFORM}`,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        pool,
        schema: KYC_SCHEMA,
        service: kyc,
        erasure,
        logger,
        metrics: service.metrics,
        runChecksConsumer: config.KYC_CHECKS_CONSUMER,
        gate: colorGate,
        // Off: submitted applications wait in Kafka and are checked in order once it is back on.
        checksPause: pauseWhileOff(liveSettings, 'automatic-checks', logger),
      });
      messaging.start();
      onShutdown('kafka', () => messaging.stop());
      new client.Gauge({
        name: 'kyc_pii_writes_allowed',
        help: '1 while new PII can be sealed, 0 while the KMS holding the data keys does not answer (docs/security.md)',
        registers: [service.metrics.registry],
        collect() {
          this.set(piiKeys.writable() ? 1 : 0);
        },
      });
      registerParkingMetrics(piiKeys, service.metrics.registry);
      const outboxPending = new PgOutboxBacklog(pool, KYC_SCHEMA);
      new client.Gauge({
        name: 'kyc_outbox_pending',
        help: 'Events waiting in the outbox (grows while Kafka is away)',
        registers: [service.metrics.registry],
        // Read at scrape time; a failed count leaves the last value.
        async collect() {
          const n = await outboxPending.count().catch(() => undefined);
          if (n !== undefined) this.set(n);
        },
      });

      // Expiry, re-KYC notices and re-drives have side effects: only the active colour of a blue-green release
      // sweeps (docs/releases.md, "Blue-green isolation").
      let sweep: NodeJS.Timeout | undefined;
      await colorGate.run({
        name: 'sweeps',
        start: () => {
          sweep = setInterval(() => {
            kyc.expireStale().catch((error: unknown) => logger.warn({ err: error }, 'expiry sweep failed'));
            erasure
              .eraseRetentionOver()
              .then((erased) => {
                if (erased > 0) logger.info({ erased }, 'kept KYC records erased: their retention is over');
              })
              .catch((error: unknown) => logger.warn({ err: error }, 'retention sweep failed'));
            erasure
              .eraseClosed(config.KYC_CLOSED_RETENTION_DAYS)
              .then((erased) => {
                if (erased > 0) logger.info({ erased }, 'closed applications erased: their retention is over');
              })
              .catch((error: unknown) => logger.warn({ err: error }, 'closed-application retention sweep failed'));
            kyc
              .announceReKycDue(config.KYC_REKYC_NOTICE_DAYS)
              .catch((error: unknown) => logger.warn({ err: error }, 're-KYC notice sweep failed'));
            kyc
              .releaseUnparked()
              .then((result) => {
                if (result.released + result.failed > 0)
                  logger.info(result, 'applications whose parked PII is back released to their checks');
              })
              .catch((error: unknown) => logger.warn({ err: error }, 'parked-application release failed'));
            kyc
              .redriveStuck(config.KYC_STUCK_PROCESSING_MS)
              .then((result) => {
                if (result.done + result.referred > 0) logger.warn(result, 'applications stuck in processing re-driven');
              })
              .catch((error: unknown) => logger.warn({ err: error }, 'stuck-processing sweep failed'));
          }, config.KYC_EXPIRY_SWEEP_MS);
          sweep.unref();
        },
        stop: () => clearInterval(sweep),
      });
      onShutdown('expiry-sweep', () => colorGate.close());

      const tokens = closing('token-verifier', await startTokenVerifier(config, logger, 'kyc', service.lifecycle, service.tls));
      const idempotencyStore = new SealedIdempotencyStore(new PostgresIdempotencyStore(pool, KYC_SCHEMA), keyRing);
      // While this pod parks new PII, its answers say the automatic checks wait (GET /api/v1/status lists it).
      service.app.use((_req, res, next) => {
        if (piiKeys.parking()) res.setHeader(REDUCED_FEATURES_HEADER, 'automatic-checks');
        next();
      });
      service.app.use(kycRoutes({ service: kyc, erasure, tokens: tokens.verifier, idempotencyStore }));
      // Envelopes still wrapped by an older master key move to the current one in the background.
      const rotating = rotation.run().then(
        (moved) => {
          if (moved > 0) logger.info({ moved, keyId: keyRing.current.id }, 'PII re-wrapped under the current master key');
        },
        (error: unknown) => logger.warn({ err: error }, 'key rotation pass failed; it runs again at the next start'),
      );
      onShutdown('key-rotation', async () => {
        rotation.stop();
        await rotating;
      });
      return { kyc, erasure, messaging, keyRotation: rotating, piiKeys, config };
    },
  });
  running.service.logger.info({ watchlist: watchlist.version, entries: watchlist.entries.length }, 'kyc ready');
  return running;
}

/** The same entry point under the name the workload contract's dispatcher may look for. */
export const startKycService = startKyc;

export const main = (): Promise<void> => runUntilSignalled(() => startKyc());
