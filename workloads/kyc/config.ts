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
    KYC_WATCHLIST_PATH: z.string().optional(),
    KYC_DRAFT_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    KYC_RESUBMISSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Most drafts one customer may hold open at once (opening one more is a 409 saying what to do). */
    KYC_MAX_OPEN_DRAFTS: z.coerce.number().int().min(1).max(1000).default(5),
    /** Customers are told this many days before their periodic re-KYC falls due. */
    KYC_REKYC_NOTICE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
    /** How often drafts and resubmission requests past their time are expired (and re-KYC notices sent). */
    KYC_EXPIRY_SWEEP_MS: z.coerce.number().int().min(1000).default(60_000),
    /** An application in `processing` this long is re-driven by the sweep (checks again, else manual review). */
    KYC_STUCK_PROCESSING_MS: z.coerce.number().int().min(1000).default(600_000),
    /** Run the automatic-checks consumer in this process (true unless checks run elsewhere). */
    KYC_CHECKS_CONSUMER: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
  });

export type KycConfig = z.infer<typeof kycEnv>;

export function loadKycConfig(env?: Env): KycConfig {
  return loadConfig(kycEnv, env);
}
