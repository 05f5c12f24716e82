// Which key ring seals the kyc service's PII (docs/security.md, "Keys held by a KMS"): without KMS_KEY_ID
// the PII_ENCRYPTION_KEYS ring itself, as before; with it, data keys made and unwrapped by the KMS (the
// AWS KMS API, or `local`: the same ring as key-encryption key), stored wrapped in PostgreSQL, re-wrapped
// in the background when the KMS key moves to a new version. With KMS_PARKING_KEY_ID, writes while the
// KMS is away are parked instead of refused, and moved under the KMS's data key once it answers
// (docs/security.md, "Writes while the KMS is away").
import client from 'prom-client';
import type { Logger, Pool } from '../shared/index.js';
import type { KycConfig } from './config.js';
import { AwsKms } from './data-access/aws-kms.js';
import { KeyRotation } from './data-access/key-rotation.js';
import { KYC_SCHEMA } from './data-access/migrations.js';
import { PgDataKeyStore, PgParkedKeyStore } from './data-access/pg-data-keys.js';
import { PgParkedApplications } from './data-access/pg-parked-applications.js';
import { RingKms } from './data-access/ring-kms.js';
import { DataKeyRing } from './domain/protection/data-key-ring.js';
import type { KeyRing } from './domain/protection/key-ring.js';

const DAY_MS = 86_400_000;

export interface PiiKeys {
  readonly ring: KeyRing;
  /** The ring for the passes that move records (key rotation): never a parked key. */
  readonly settled: KeyRing;
  /** With a parking key: the applications whose PII waits for the KMS. */
  readonly parked: PgParkedApplications | undefined;
  /** Whether new PII is sealed under a parked key now (the KMS is away). */
  parking(): boolean;
  /** Resolves with the number of data keys re-wrapped by the start-up pass (0 without a KMS). */
  readonly rewrapped: Promise<number>;
  /** Whether new PII can be sealed now (always true without a KMS). */
  writable(): boolean;
  stop(): Promise<void>;
}

export async function openPiiKeys(config: KycConfig, envRing: KeyRing, pool: Pool, logger: Logger): Promise<PiiKeys> {
  const keyId = config.KMS_KEY_ID;
  if (keyId === undefined) {
    return {
      ring: envRing,
      settled: envRing,
      parked: undefined,
      parking: () => false,
      rewrapped: Promise.resolve(0),
      writable: () => true,
      stop: () => Promise.resolve(),
    };
  }
  const aws =
    keyId === 'local'
      ? undefined
      : new AwsKms({
          keyId,
          region: config.KMS_REGION ?? '',
          ...(config.KMS_ENDPOINT !== undefined && { endpoint: config.KMS_ENDPOINT }),
          ...(config.KMS_ACCESS_KEY_ID !== undefined &&
            config.KMS_SECRET_ACCESS_KEY !== undefined && {
              credentials: { accessKeyId: config.KMS_ACCESS_KEY_ID, secretAccessKey: config.KMS_SECRET_ACCESS_KEY },
            }),
          timeoutMs: config.KMS_TIMEOUT_MS,
          ...(config.KMS_PARKING_KEY_ID !== undefined && { parkingKeyId: config.KMS_PARKING_KEY_ID }),
        });
  const parkedKeys = aws && config.KMS_PARKING_KEY_ID !== undefined ? new PgParkedKeyStore(pool, KYC_SCHEMA) : undefined;
  const ring = new DataKeyRing({
    kms: aws ?? new RingKms(envRing),
    store: new PgDataKeyStore(pool, KYC_SCHEMA),
    legacy: envRing,
    cacheTtlMs: config.KMS_DATA_KEY_TTL_MS,
    refreshMs: config.KMS_REFRESH_MS,
    context: { service: 'kyc' },
    onRefreshFailure: (error) =>
      logger.warn(
        { err: error },
        parkedKeys
          ? 'the KMS does not answer: new PII is parked until it does'
          : 'the KMS does not answer: new PII writes are refused until it does',
      ),
    ...(aws &&
      parkedKeys && {
        parking: {
          kms: aws,
          store: parkedKeys,
          onParked: (id: string) =>
            logger.warn({ parkedKey: id }, 'PII written from now on is parked: sealed under a data key only the KMS can unwrap'),
          onFailure: (what: string, error: unknown) => logger.warn({ err: error }, `could not ${what}; the next refresh tries again`),
        },
      }),
  });
  await ring.start().catch((error: unknown) => {
    aws?.close();
    throw error;
  });
  const rewrap = async (): Promise<number> => {
    const moved = await ring.rewrap(new Date(Date.now() - config.KMS_REWRAP_MAX_AGE_DAYS * DAY_MS));
    if (moved > 0) logger.info({ moved }, 'PII data keys re-wrapped under the current KMS key version');
    return moved;
  };
  const logFailure = (error: unknown): number => {
    logger.warn({ err: error }, 're-wrapping the PII data keys failed; the next pass tries again');
    return 0;
  };
  const rewrapped = rewrap().catch(logFailure);
  const timer = setInterval(() => void rewrap().catch(logFailure), config.KMS_REWRAP_INTERVAL_MS);
  timer.unref();
  // Parked records move under the data key once the KMS answers (their keys unwrapped by the ring's
  // refresh); housekeeping then releases their applications to the checks (main.ts's sweep).
  const rotation = new KeyRotation(pool, KYC_SCHEMA, ring.settled);
  let unparking: Promise<void> = Promise.resolve();
  const unpark = async (): Promise<void> => {
    if (!parkedKeys || !ring.writable || (await parkedKeys.listParked()).length === 0) return;
    const moved = await rotation.run();
    const forgotten = await ring.forgetUnusedParked();
    if (moved + forgotten.length > 0) logger.info({ moved, forgotten }, 'parked PII moved under the KMS data key');
  };
  const unparkTimer = setInterval(() => {
    unparking = unpark().catch((error: unknown) => logger.warn({ err: error }, 'moving parked PII failed; the next pass tries again'));
  }, config.KMS_REFRESH_MS);
  unparkTimer.unref();
  logger.info({ kmsKeyId: keyId, dataKey: ring.current.id }, 'PII data keys held by the KMS');
  return {
    ring,
    settled: ring.settled,
    parked: parkedKeys ? new PgParkedApplications(pool, KYC_SCHEMA) : undefined,
    parking: () => ring.parking,
    rewrapped,
    writable: () => ring.writable,
    stop: async () => {
      clearInterval(timer);
      clearInterval(unparkTimer);
      rotation.stop();
      ring.stop();
      await Promise.all([rewrapped, unparking]);
      aws?.close();
    },
  };
}

/** The gauges of parking (docs/observability.md): whether this pod parks now, and how many applications wait. */
export function registerParkingMetrics(piiKeys: PiiKeys, registry: client.Registry): void {
  new client.Gauge({
    name: 'kyc_pii_parking',
    help: '1 while this pod seals new PII under a parked data key because the KMS does not answer (docs/security.md)',
    registers: [registry],
    collect() {
      this.set(piiKeys.parking() ? 1 : 0);
    },
  });
  const parked = piiKeys.parked;
  if (!parked) return;
  new client.Gauge({
    name: 'kyc_pii_parked_applications',
    help: 'Applications with PII sealed under a parked data key, waiting for the KMS before their checks',
    registers: [registry],
    // Read at scrape time; a failed count leaves the last value.
    async collect() {
      const n = await parked.count().catch(() => undefined);
      if (n !== undefined) this.set(n);
    },
  });
}
