// PII data keys held by a KMS (docs/security.md, "Keys held by a KMS"), against the real local-kms that
// `make deps` runs (hack/deps/kms.sh): the AWS KMS adapter makes, unwraps and re-encrypts data keys; the
// kyc service seals PII under them; a new KMS key behind the alias re-wraps the data keys in the
// background; a KMS that stops answering leaves cached reads working and turns writes into 503s that
// write nothing. Each case makes its own KMS keys and alias, so runs do not share key state.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, KMSClient, UpdateAliasCommand } from '@aws-sdk/client-kms';
import pg from 'pg';
import { AwsKms } from '../../../workloads/kyc/data-access/aws-kms.js';
import { CONSENT, VALID_APPLICANT, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { eventually, request, suffix } from './support.js';
import { TcpProxy } from './tcp-proxy.js';

const endpoint = process.env.KMS_ENDPOINT;
const region = process.env.KMS_REGION ?? 'ap-south-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('PII data keys held by a KMS (local-kms)', () => {
  let admin: KMSClient;
  const newKey = async (): Promise<string> => {
    const out = await admin.send(new CreateKeyCommand({ Description: 'kyc-kms integration test' }));
    return out.KeyMetadata?.Arn ?? '';
  };
  const kmsEnv = (url: string, keyId: string): Record<string, string> => ({
    KMS_KEY_ID: keyId,
    KMS_ENDPOINT: url,
    KMS_REGION: region,
    KMS_ACCESS_KEY_ID: credentials.accessKeyId,
    KMS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    KMS_REFRESH_MS: '200',
    KMS_TIMEOUT_MS: '500',
  });
  const query = async <R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(sql, values)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(() => {
    if (!endpoint) throw new Error('KMS_ENDPOINT is not set: run the tests through hack/with-env.sh (make deps starts local-kms)');
    admin = new KMSClient({ endpoint, region, credentials });
  });

  afterAll(() => admin?.destroy());

  it('the AWS KMS adapter makes a data key, unwraps it under its context only, and re-encrypts it under a new key', async () => {
    const first = await newKey();
    const second = await newKey();
    const context = { service: 'kyc', 'data-key': `dk-${randomUUID()}` };
    const kms = new AwsKms({ keyId: first, region, endpoint: endpoint ?? '', credentials, timeoutMs: 2000 });
    const { plaintext, wrapped } = await kms.generateDataKey(context);
    expect(plaintext).toHaveLength(32);
    expect(wrapped.kmsKeyId).toBe(first);
    expect(wrapped.ciphertext.includes(plaintext)).toBe(false);
    expect((await kms.decryptDataKey(wrapped, context)).equals(plaintext)).toBe(true);
    await expect(kms.decryptDataKey(wrapped, { ...context, 'data-key': 'dk-other' })).rejects.toThrow();

    const rotated = new AwsKms({ keyId: second, region, endpoint: endpoint ?? '', credentials, timeoutMs: 2000 });
    expect(await rotated.currentKeyId()).toBe(second);
    const moved = await rotated.reEncryptDataKey(wrapped, context);
    expect(moved.kmsKeyId).toBe(second);
    await admin.send(new DisableKeyCommand({ KeyId: first }));
    expect((await rotated.decryptDataKey(moved, context)).equals(plaintext)).toBe(true);
    await expect(kms.decryptDataKey(wrapped, context)).rejects.toThrow();
    kms.close();
    rotated.close();
  });

  it('when the key behind the alias changes, then the data key is re-wrapped in the background and PII still reads with the old key disabled', async () => {
    const alias = `alias/kyc-test-${suffix()}`;
    const oldKey = await newKey();
    await admin.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: oldKey }));
    const customer = await token(`cust-${randomUUID()}`, 'customer');
    let harness: KycHarness | undefined = await startKycHarness(kmsEnv(endpoint ?? '', alias), { waitForKafka: false });
    const db = harness.db;
    let id: string;
    try {
      id = (await request<{ id: string }>(harness.url('/api/v1/applications'), { body: CONSENT, token: customer })).body.id;
      const patched = await request(harness.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer });
      expect(patched.status).toBe(200);
      const keys = await query<{ id: string; kms_key_id: string }>(db.url, 'SELECT id, kms_key_id FROM kyc.pii_data_keys');
      expect(keys).toEqual([{ id: expect.stringMatching(/^dk-/), kms_key_id: oldKey }]);
      const sealed = await query<{ key_id: string }>(db.url, 'SELECT key_id FROM kyc.applicants WHERE application_id = $1', [id]);
      expect(sealed).toEqual([{ key_id: keys[0]?.id }]);
      await harness.kyc.close();

      const newKeyArn = await newKey();
      await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: newKeyArn }));
      // A new instance serves at once; its start-up pass moves the data key under the new key meanwhile.
      harness = await startKycHarness({ ...kmsEnv(endpoint ?? '', alias), DATABASE_URL: db.url }, { waitForKafka: false });
      expect(await harness.kyc.piiKeys.rewrapped).toBe(1);
      expect(await query(db.url, 'SELECT kms_key_id FROM kyc.pii_data_keys')).toEqual([{ kms_key_id: newKeyArn }]);
      await harness.kyc.close();
      await harness.db.drop();
      harness = undefined;

      await admin.send(new DisableKeyCommand({ KeyId: oldKey }));
      harness = await startKycHarness({ ...kmsEnv(endpoint ?? '', alias), DATABASE_URL: db.url }, { waitForKafka: false });
      const view = await request<{ applicant: { name: string } }>(harness.url(`/api/v1/applications/${id}`), { token: customer });
      expect(view.status).toBe(200);
      expect(view.body.applicant.name).toBe(VALID_APPLICANT.name);
    } finally {
      await harness?.close();
      await db.drop().catch(() => undefined);
    }
  }, 60_000);

  it('when the KMS stops answering, then cached reads work, writes answer 503 with Retry-After and write nothing, and writes resume with the KMS', async () => {
    const url = new URL(endpoint ?? '');
    const proxy = new TcpProxy(url.hostname, Number(url.port));
    const port = await proxy.start();
    const harness = await startKycHarness(kmsEnv(`http://127.0.0.1:${port}`, await newKey()), { waitForKafka: false });
    const customer = await token(`cust-${randomUUID()}`, 'customer');
    try {
      const id = (await request<{ id: string }>(harness.url('/api/v1/applications'), { body: CONSENT, token: customer })).body.id;
      expect(
        (await request(harness.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer })).status,
      ).toBe(200);
      const state = () =>
        query<{ applicant: Buffer; documents: number; audit: number; outbox: number; applications: number; idempotency: number }>(
          harness.db.url,
          `SELECT (SELECT data_enc FROM kyc.applicants WHERE application_id = $1) AS applicant,
                  (SELECT count(*)::int FROM kyc.documents) AS documents, (SELECT count(*)::int FROM kyc.audit_trail) AS audit,
                  (SELECT count(*)::int FROM kyc.outbox) AS outbox, (SELECT count(*)::int FROM kyc.applications) AS applications,
                  (SELECT count(*)::int FROM kyc.idempotency_keys) AS idempotency`,
          [id],
        );
      const before = await state();

      await proxy.stop();
      await eventually(() => harness.logs.text().includes('the KMS does not answer') || undefined, 10_000);
      expect(await (await fetch(harness.metricsUrl('/metrics'))).text()).toMatch(/^kyc_pii_writes_allowed({[^}]*})? 0$/m);

      const read = await request<{ applicant: { name: string } }>(harness.url(`/api/v1/applications/${id}`), { token: customer });
      expect(read.status).toBe(200);
      expect(read.body.applicant.name).toBe(VALID_APPLICANT.name);

      const writes = [
        await request(harness.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: { name: 'Kavya Rao' }, token: customer }),
        await request(harness.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer }),
        await request(harness.url('/api/v1/applications'), {
          body: CONSENT,
          token: customer,
          headers: { 'idempotency-key': `idem-${randomUUID()}` },
        }),
      ];
      for (const write of writes) {
        expect(write.status).toBe(503);
        expect(write.headers.get('retry-after')).toBe('5');
        expect(write.body).toMatchObject({ dependency: 'kms' });
      }
      expect(await state()).toEqual(before);

      await proxy.start();
      await eventually(async () => {
        const patched = await request(harness.url(`/api/v1/applications/${id}`), {
          method: 'PATCH',
          body: { name: 'Kavya R' },
          token: customer,
        });
        return patched.status === 200 || undefined;
      }, 10_000);
    } finally {
      await harness.close();
      await proxy.stop();
    }
  }, 60_000);
});
