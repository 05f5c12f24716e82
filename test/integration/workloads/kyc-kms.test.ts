// PII data keys held by a KMS (docs/security.md, "Keys held by a KMS"), against the real local-kms that
// `make deps` runs (hack/deps/kms.sh): the AWS KMS adapter makes, unwraps and re-encrypts data keys; the
// kyc service seals PII under them; a new KMS key behind the alias re-wraps the data keys in the
// background; a KMS that stops answering leaves cached reads working and turns writes into 503s that
// write nothing, or, with a parking key, parks them: sealed under a data key only the KMS's RSA key
// unwraps, held from the checks, and moved and released once the KMS is back. Each case makes its own
// KMS keys and alias, so runs do not share key state.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, KMSClient, UpdateAliasCommand } from '@aws-sdk/client-kms';
import pg from 'pg';
import { AwsKms } from '../../../workloads/kyc/data-access/aws-kms.js';
import { makeParkedKey, parkedKeyOf, parkingPublicKey } from '../../../workloads/kyc/domain/protection/parking.js';
import { CONSENT, PDF, PNG, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
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
  const newParkingKey = async (): Promise<string> => {
    const out = await admin.send(
      new CreateKeyCommand({ Description: 'kyc-kms integration test parking key', KeySpec: 'RSA_3072', KeyUsage: 'ENCRYPT_DECRYPT' }),
    );
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

  it("the AWS KMS adapter hands out the parking key's public half, unwraps what was parked under it, and refuses a key that cannot decrypt", async () => {
    const parkingKeyId = await newParkingKey();
    const kms = new AwsKms({ keyId: await newKey(), region, endpoint: endpoint ?? '', credentials, timeoutMs: 2000, parkingKeyId });
    const pub = await kms.parkingPublicKey();
    expect(pub.kmsKeyId).toBe(parkingKeyId);
    const { key, parked } = makeParkedKey('pk-test', parkingPublicKey(pub.kmsKeyId, pub.spki));
    expect(parkedKeyOf('pk-test', await kms.unwrapParked(parked.wrapped)).equals(key.key)).toBe(true);
    const signing = await admin.send(new CreateKeyCommand({ KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' }));
    const signingKms = new AwsKms({
      keyId: parkingKeyId,
      region,
      endpoint: endpoint ?? '',
      credentials,
      timeoutMs: 2000,
      parkingKeyId: signing.KeyMetadata?.Arn ?? '',
    });
    await expect(signingKms.parkingPublicKey()).rejects.toThrow('is not an ENCRYPT_DECRYPT key');
    kms.close();
    signingKms.close();
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

  it('when the KMS stops answering with a parking key set, then applications are accepted and parked with no clear PII and no check, and once it is back they are moved, checked and readable', async () => {
    const url = new URL(endpoint ?? '');
    const proxy = new TcpProxy(url.hostname, Number(url.port));
    const port = await proxy.start();
    const env = {
      ...kmsEnv(`http://127.0.0.1:${port}`, await newKey()),
      KMS_PARKING_KEY_ID: await newParkingKey(),
      KYC_EXPIRY_SWEEP_MS: '1000',
    };
    const harness = await startKycHarness(env);
    // A second replica on the same database: it never holds the first one's parked key in clear.
    const replica = await startKycHarness({ ...env, DATABASE_URL: harness.db.url }, { waitForKafka: false });
    const customer = await token(`cust-${randomUUID()}`, 'customer');
    const db = <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> => query<R>(harness.db.url, sql, values);
    const metric = async (name: string): Promise<string | undefined> =>
      new RegExp(`^${name}(?:{[^}]*})? (\\d+)$`, 'm').exec(await (await fetch(harness.metricsUrl('/metrics'))).text())?.[1];
    try {
      await proxy.stop();
      await eventually(() => harness.logs.text().includes('PII written from now on is parked') || undefined, 20_000);
      await eventually(() => replica.logs.text().includes('PII written from now on is parked') || undefined, 20_000);

      const created = await request<{ id: string }>(harness.url('/api/v1/applications'), {
        body: CONSENT,
        token: customer,
        headers: { 'idempotency-key': `idem-${randomUUID()}` },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const app = (path = '') => harness.url(`/api/v1/applications/${id}${path}`);
      expect((await request(app(), { method: 'PATCH', body: VALID_APPLICANT, token: customer })).status).toBe(200);
      expect((await request(app('/documents'), { body: passportDocument, token: customer })).status).toBe(201);
      expect((await request(app('/documents'), { body: panCardDocument, token: customer })).status).toBe(201);
      const submitted = await request<{ state: string }>(app('/submit'), { body: {}, token: customer });
      expect(submitted.status).toBe(202);
      expect(submitted.body.state).toBe('submitted');
      expect(submitted.headers.get('kyc-reduced-features')).toBe('automatic-checks');

      // Sealed under the parked key only: no clear byte of the applicant, the Aadhaar or the documents.
      const harnessParked = /"parkedKey":"(pk-[0-9a-f-]+)"/.exec(harness.logs.text())?.[1];
      const [parkedKey] = await db<{ kms_key_id: string; wrapped: Buffer }>(
        'SELECT kms_key_id, wrapped FROM kyc.pii_parked_keys WHERE id = $1',
        [harnessParked],
      );
      expect(parkedKey?.kms_key_id).toBe(env.KMS_PARKING_KEY_ID);
      expect(parkedKey?.wrapped).toHaveLength(384);
      const sealed = await db<{ key_id: string; bytes: Buffer }>(
        `SELECT key_id, data_enc AS bytes FROM kyc.applicants WHERE application_id = $1
          UNION ALL SELECT v.key_id, v.number_enc FROM kyc.aadhaar_vault v JOIN kyc.applicants a ON a.aadhaar_token = v.token WHERE a.application_id = $1
          UNION ALL SELECT key_id, content_enc FROM kyc.documents WHERE application_id = $1`,
        [id],
      );
      expect(sealed).toHaveLength(4);
      const clear = [VALID_APPLICANT.name, VALID_APPLICANT.pan, VALID_APPLICANT.aadhaar.replaceAll(' ', ''), VALID_APPLICANT.passport];
      for (const row of sealed) {
        expect(row.key_id).toBe(harnessParked);
        for (const text of clear) expect(row.bytes.includes(Buffer.from(text))).toBe(false);
        expect(row.bytes.includes(PDF)).toBe(false);
        expect(row.bytes.includes(PNG)).toBe(false);
      }
      const [idempotent] = await db<{ body: string }>("SELECT response->>'body' AS body FROM kyc.idempotency_keys");
      expect(idempotent?.body).toMatch(/^sealed:v1:/);

      // Held by the checks consumer, never checked; the other replica cannot read what it cannot unwrap.
      await eventually(
        async () => (await db('SELECT 1 FROM kyc.parked_applications WHERE application_id = $1', [id])).length === 1 || undefined,
      );
      const [held] = await db<{ state: string; audit: string[] }>(
        `SELECT state, (SELECT array_agg(action ORDER BY id) FROM kyc.audit_trail WHERE application_id = $1) AS audit
           FROM kyc.applications WHERE id = $1`,
        [id],
      );
      expect(held?.state).toBe('submitted');
      expect(held?.audit).toContain('checks_parked');
      expect(await metric('kyc_pii_parking')).toBe('1');
      expect(await metric('kyc_pii_parked_applications')).toBe('1');
      const elsewhere = await request(replica.url(`/api/v1/applications/${id}`), { token: customer });
      expect(elsewhere.status).toBe(503);
      expect(elsewhere.headers.get('retry-after')).toBe('5');

      await proxy.start();
      const checked = await eventually(
        async () => {
          const [row] = await db<{ state: string }>('SELECT state FROM kyc.applications WHERE id = $1', [id]);
          return row && row.state !== 'submitted' && row.state !== 'processing' ? row.state : undefined;
        },
        30_000,
        200,
      );
      expect(checked).toBe('pending_review');
      expect(await db('SELECT DISTINCT key_id FROM kyc.documents WHERE application_id = $1', [id])).toEqual([
        { key_id: expect.stringMatching(/^dk-/) },
      ]);
      await eventually(async () => (await db('SELECT id FROM kyc.pii_parked_keys')).length === 0 || undefined, 10_000);
      expect(await db('SELECT 1 FROM kyc.parked_applications')).toEqual([]);
      const audit = await db<{ action: string }>('SELECT action FROM kyc.audit_trail WHERE application_id = $1 ORDER BY id', [id]);
      expect(audit.map((a) => a.action).filter((a) => a.startsWith('checks_'))).toEqual(['checks_parked', 'checks_released']);
      expect(await metric('kyc_pii_parking')).toBe('0');
      expect(await metric('kyc_pii_parked_applications')).toBe('0');
      for (const pod of [harness, replica]) {
        const view = await request<{ applicant: { name: string } }>(pod.url(`/api/v1/applications/${id}`), { token: customer });
        expect(view.status).toBe(200);
        expect(view.body.applicant.name).toBe(VALID_APPLICANT.name);
        expect(view.headers.get('kyc-reduced-features')).toBeNull();
      }
    } finally {
      await replica.kyc.close();
      await harness.close();
      await replica.db.drop();
      await proxy.stop();
    }
  }, 90_000);
});
