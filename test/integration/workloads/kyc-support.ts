// Helpers for the kyc component tests: the service in-process against a private database, a private
// Kafka topic prefix and consumer groups, captured logs; tokens minted with the shared helper; an
// event collector reading the service's topics; and applicant data that passes every rule.
import { randomBytes } from 'node:crypto';
import type { Role } from '../../../workloads/shared/index.js';
import { startKyc } from '../../../workloads/kyc/main.js';
import type { RunningKyc } from '../../../workloads/kyc/main.js';
import { captureLogs, createTestDatabase, requireEnv, signToken, suffix, verifierEnv } from './support.js';
import type { CapturedLogs, TestDatabase } from './support.js';

export const PII_KEY = randomBytes(32).toString('base64');

export interface KycHarness {
  kyc: RunningKyc;
  db: TestDatabase;
  logs: CapturedLogs;
  topicPrefix: string;
  url(path: string): string;
  /** A path on the metrics listener (/metrics, /health). */
  metricsUrl(path: string): string;
  close(): Promise<void>;
}

export async function startKycHarness(
  extraEnv: Record<string, string> = {},
  options: { waitForKafka?: boolean; liveSettingsIntervalMs?: number } = {},
): Promise<KycHarness> {
  const db = await createTestDatabase();
  const logs = captureLogs('kyc');
  const topicPrefix = `test-${suffix()}.`;
  try {
    const kyc = await startKyc({
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      ...(options.liveSettingsIntervalMs !== undefined && { liveSettingsIntervalMs: options.liveSettingsIntervalMs }),
      env: {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: topicPrefix,
        ...verifierEnv(),
        PII_ENCRYPTION_KEYS: `k1:${PII_KEY}`,
        LOG_LEVEL: 'debug',
        SHUTDOWN_GRACE_MS: '2000',
        // Suites here open many drafts for one customer; kyc-limits.test.ts tests the cap at its default.
        KYC_MAX_OPEN_DRAFTS: '1000',
        ...extraEnv,
      },
    });
    if (options.waitForKafka ?? true) await kyc.messaging.ready;
    return {
      kyc,
      db,
      logs,
      topicPrefix,
      url: (path) => `${kyc.url}${path}`,
      metricsUrl: (path) => `${kyc.metricsUrl}${path}`,
      async close() {
        await kyc.close();
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

export function token(sub: string, role: Role): Promise<string> {
  return signToken({ sub, role });
}

/** The collector of the service's events (kyc, customer, consent). */
export { EventCollector } from './support.js';

export const VALID_APPLICANT = {
  name: 'Kavya Raghunathan',
  dateOfBirth: '1990-05-17',
  pan: 'ABCPR1234F',
  aadhaar: '2341 2341 2346',
  address: { line1: '12 MG Road', line2: 'Ashok Nagar', city: 'Bengaluru', state: 'Karnataka', pincode: '560001' },
  passport: 'J8369854',
  voterId: 'WKH1186253',
  drivingLicence: 'KA01 20190001234',
  ckycNumber: '12345678901234',
};

export const CONSENT = { consent: { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1' } };

export const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);

export const passportDocument = { type: 'passport', contentType: 'application/pdf', content: PDF.toString('base64') };
export const panCardDocument = { type: 'pan_card', contentType: 'image/png', content: PNG.toString('base64') };
