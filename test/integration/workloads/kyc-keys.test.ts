// Master-key rotation: records written under key k1 move to k2 when k2 is put first in the ring, after
// which k1 can leave the ring and everything still reads back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { startKyc } from '../../../workloads/kyc/main.js';
import type { RunningKyc } from '../../../workloads/kyc/main.js';
import { CONSENT, VALID_APPLICANT, passportDocument, token } from './kyc-support.js';
import { captureLogs, createTestDatabase, request, requireEnv, suffix, verifierEnv } from './support.js';
import type { TestDatabase } from './support.js';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');

describe('PII master-key rotation', () => {
  let db: TestDatabase;
  const topicPrefix = `test-${suffix()}.`;
  const start = (keys: string): Promise<RunningKyc> =>
    startKyc({
      port: 0,
      host: '127.0.0.1',
      logger: captureLogs('kyc', 'warn').logger,
      env: {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: topicPrefix,
        ...verifierEnv(),
        PII_ENCRYPTION_KEYS: keys,
        KYC_CHECKS_CONSUMER: 'false',
        SHUTDOWN_GRACE_MS: '1000',
      },
    });
  const keyIds = async (): Promise<string[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ key_id: string }>(
        `SELECT key_id FROM kyc.applicants UNION ALL SELECT key_id FROM kyc.aadhaar_vault UNION ALL SELECT key_id FROM kyc.documents`,
      );
      return [...new Set(rows.map((r) => r.key_id))];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  it('when a new key is put first, then existing PII moves to it and the old key can be dropped', async () => {
    const customer = await token(`cust-${randomUUID()}`, 'customer');
    const first = await start(`k1:${K1}`);
    let id: string;
    let documentId: string;
    const idempotencyKey = `idem-${randomUUID()}`;
    let firstAnswer: unknown;
    try {
      // An idempotent create: its stored response (kept 24 h for replays) is sealed under k1 too.
      const created = await request<{ id: string }>(`${first.url}/api/v1/applications`, {
        body: CONSENT,
        token: customer,
        headers: { 'idempotency-key': idempotencyKey },
      });
      expect(created.status).toBe(201);
      firstAnswer = created.body;
      id = created.body.id;
      expect(
        (await request(`${first.url}/api/v1/applications/${id}`, { method: 'PATCH', body: VALID_APPLICANT, token: customer })).status,
      ).toBe(200);
      documentId = (
        await request<{ id: string }>(`${first.url}/api/v1/applications/${id}/documents`, { body: passportDocument, token: customer })
      ).body.id;
    } finally {
      await first.close();
    }
    expect(await keyIds()).toEqual(['k1']);

    // Dropping k1 before the rotation has moved its records is refused at start-up, naming the key.
    await expect(start(`k2:${K2}`)).rejects.toThrow(/lacks master key id\(s\) k1/);

    const rotating = await start(`k2:${K2},k1:${K1}`);
    try {
      await rotating.keyRotation;
    } finally {
      await rotating.close();
    }
    expect(await keyIds()).toEqual(['k2']);

    const onlyNewKey = await start(`k2:${K2}`);
    try {
      const view = await request<{ applicant: { name: string; aadhaar: string; pan: string } }>(
        `${onlyNewKey.url}/api/v1/applications/${id}`,
        { token: customer },
      );
      expect(view.status).toBe(200);
      expect(view.body.applicant).toMatchObject({ name: VALID_APPLICANT.name, aadhaar: 'XXXX XXXX 2346', pan: 'ABCPRXXXXF' });
      const doc = await fetch(`${onlyNewKey.url}/api/v1/applications/${id}/documents/${documentId}`, {
        headers: { authorization: `Bearer ${customer}` },
      });
      expect(Buffer.from(await doc.arrayBuffer()).toString('base64')).toBe(passportDocument.content);
      // The idempotent replay still answers the first response (its record moved to k2 as well).
      const replay = await request(`${onlyNewKey.url}/api/v1/applications`, {
        body: CONSENT,
        token: customer,
        headers: { 'idempotency-key': idempotencyKey },
      });
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(firstAnswer);
    } finally {
      await onlyNewKey.close();
    }
  }, 120_000);
});
