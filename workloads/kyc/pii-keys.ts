// Which key ring seals the kyc service's PII (docs/security.md, "Keys held by a KMS"): without KMS_KEY_ID
// the PII_ENCRYPTION_KEYS ring itself, as before; with it, data keys made and unwrapped by the KMS (the
// AWS KMS API, or `local`: the same ring as key-encryption key), stored wrapped in PostgreSQL, re-wrapped
// in the background when the KMS key moves to a new version.
import type { Logger, Pool } from '../shared/index.js';
import type { KycConfig } from './config.js';
import { AwsKms } from './data-access/aws-kms.js';
import { KYC_SCHEMA } from './data-access/migrations.js';
import { PgDataKeyStore } from './data-access/pg-data-keys.js';
import { RingKms } from './data-access/ring-kms.js';
import { DataKeyRing } from './domain/protection/data-key-ring.js';
import type { KeyRing } from './domain/protection/key-ring.js';

const DAY_MS = 86_400_000;

export interface PiiKeys {
  readonly ring: KeyRing;
  /** Resolves with the number of data keys re-wrapped by the start-up pass (0 without a KMS). */
  readonly rewrapped: Promise<number>;
  /** Whether new PII can be sealed now (always true without a KMS). */
  writable(): boolean;
  stop(): Promise<void>;
}

export async function openPiiKeys(config: KycConfig, envRing: KeyRing, pool: Pool, logger: Logger): Promise<PiiKeys> {
  const keyId = config.KMS_KEY_ID;
  if (keyId === undefined) return { ring: envRing, rewrapped: Promise.resolve(0), writable: () => true, stop: () => Promise.resolve() };
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
        });
  const ring = new DataKeyRing({
    kms: aws ?? new RingKms(envRing),
    store: new PgDataKeyStore(pool, KYC_SCHEMA),
    legacy: envRing,
    cacheTtlMs: config.KMS_DATA_KEY_TTL_MS,
    refreshMs: config.KMS_REFRESH_MS,
    context: { service: 'kyc' },
    onRefreshFailure: (error) => logger.warn({ err: error }, 'the KMS does not answer: new PII writes are refused until it does'),
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
  logger.info({ kmsKeyId: keyId, dataKey: ring.current.id }, 'PII data keys held by the KMS');
  return {
    ring,
    rewrapped,
    writable: () => ring.writable,
    stop: async () => {
      clearInterval(timer);
      ring.stop();
      await rewrapped;
      aws?.close();
    },
  };
}
