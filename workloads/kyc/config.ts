// The kyc service's configuration (one place, validated at start-up).
import { z } from 'zod';
import { commonEnv, databaseEnv, kafkaEnv, loadConfig, tokenVerifierEnv } from '../shared/index.js';
import type { Env } from '../shared/index.js';
import { parseKeyRing } from './domain/protection/key-ring.js';

export const kycEnv = commonEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(tokenVerifierEnv.shape)
  .extend({
    /** `keyId:base64-32-byte-key[,...]`; the first encrypts, all decrypt. */
    PII_ENCRYPTION_KEYS: z.string().superRefine((value, ctx) => {
      try {
        parseKeyRing(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
    /**
     * Where the PII data keys are wrapped (docs/security.md, "Keys held by a KMS"): an AWS KMS key id, ARN
     * or alias (the AWS KMS API, or local-kms through KMS_ENDPOINT), or `local` for the PII_ENCRYPTION_KEYS
     * ring. Unset: the ring encrypts the records itself, as before.
     */
    KMS_KEY_ID: z.string().min(1).optional(),
    KMS_REGION: z.string().min(1).optional(),
    KMS_ENDPOINT: z.url().optional(),
    /** Static credentials (local-kms, or a KMS outside AWS's identity chain); both or neither. */
    KMS_ACCESS_KEY_ID: z.string().min(1).optional(),
    KMS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /**
     * The KMS's RSA key (ENCRYPT_DECRYPT) writes are parked under while the KMS does not answer, instead of
     * refused (docs/security.md, "Writes while the KMS is away"). Unset: such writes answer 503, as before.
     */
    KMS_PARKING_KEY_ID: z.string().min(1).optional(),
    /** How long an unwrapped data key stays usable in memory after the KMS last unwrapped it. */
    KMS_DATA_KEY_TTL_MS: z.coerce.number().int().min(1000).default(300_000),
    /** How often the KMS unwraps the data keys again; new writes stop when it does not answer. */
    KMS_REFRESH_MS: z.coerce.number().int().min(100).default(30_000),
    KMS_TIMEOUT_MS: z.coerce.number().int().min(100).default(2000),
    /** How often data keys not under the KMS key's current version are re-wrapped in the background. */
    KMS_REWRAP_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
    /** Data keys re-wrapped longer ago are re-wrapped again (new key material under the same key id). */
    KMS_REWRAP_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    KYC_WATCHLIST_PATH: z.string().optional(),
    KYC_DRAFT_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    KYC_RESUBMISSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Most drafts one customer may hold open at once (opening one more is a 409 saying what to do). */
    KYC_MAX_OPEN_DRAFTS: z.coerce.number().int().min(1).max(1000).default(5),
    /** Customers are told this many days before their periodic re-KYC falls due. */
    KYC_REKYC_NOTICE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
    /** Days after which a rejected, expired or cancelled application's personal data is erased (docs/retention.md). */
    KYC_CLOSED_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
    /** How often drafts and resubmission requests past their time are expired (and re-KYC notices sent). */
    KYC_EXPIRY_SWEEP_MS: z.coerce.number().int().min(1000).default(60_000),
    /** An application in `processing` this long is re-driven by the sweep (checks again, else manual review). */
    KYC_STUCK_PROCESSING_MS: z.coerce.number().int().min(1000).default(600_000),
    /** Run the automatic-checks consumer in this process (true unless checks run elsewhere). */
    KYC_CHECKS_CONSUMER: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
  })
  .superRefine((env, ctx) => {
    if (env.KMS_KEY_ID !== undefined && env.KMS_KEY_ID !== 'local' && env.KMS_REGION === undefined) {
      ctx.addIssue({ code: 'custom', path: ['KMS_REGION'], message: 'KMS_REGION is required with an AWS KMS key (KMS_KEY_ID)' });
    }
    if (env.KMS_PARKING_KEY_ID !== undefined && (env.KMS_KEY_ID === undefined || env.KMS_KEY_ID === 'local')) {
      ctx.addIssue({ code: 'custom', path: ['KMS_PARKING_KEY_ID'], message: 'KMS_PARKING_KEY_ID needs an AWS KMS key in KMS_KEY_ID' });
    }
    if ((env.KMS_ACCESS_KEY_ID === undefined) !== (env.KMS_SECRET_ACCESS_KEY === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['KMS_SECRET_ACCESS_KEY'], message: 'KMS_ACCESS_KEY_ID and KMS_SECRET_ACCESS_KEY go together' });
    }
    if (env.KMS_REFRESH_MS >= env.KMS_DATA_KEY_TTL_MS) {
      ctx.addIssue({ code: 'custom', path: ['KMS_REFRESH_MS'], message: 'KMS_REFRESH_MS must be shorter than KMS_DATA_KEY_TTL_MS' });
    }
  });

export type KycConfig = z.infer<typeof kycEnv>;

export function loadKycConfig(env?: Env): KycConfig {
  return loadConfig(kycEnv, env);
}
