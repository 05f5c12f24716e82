// Backups against the real PostgreSQL and the S3 server of `make deps` (SeaweedFS, docs/backup.md): a
// backup of every service schema, a restore into a fresh database whose tables match the manifest row for
// row and checksum for checksum, an application written before the backup readable after the restore with
// its document decrypting; a corrupted or truncated object refused before anything is written; retention.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startKyc } from '../../../workloads/kyc/main.js';
import { BackupProgram, DATA_NAME, MANIFEST_NAME, backupConfig } from '../../../workloads/backup/main.js';
import { SERVICE_SCHEMAS } from '../../../workloads/backup/schemas.js';
import { createLogger, createPool, runMigrations } from '../../../workloads/shared/index.js';
import { CONSENT, PII_KEY, VALID_APPLICANT, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { createTestDatabase, requireEnv, request, suffix, verifierEnv } from './support.js';
import type { TestDatabase } from './support.js';

function s3Env(name: 'S3_ENDPOINT' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite through hack/with-env.sh after make deps (hack/deps/seaweedfs.sh)`);
  return value;
}

describe('encrypted backups and a verified restore', () => {
  let h: KycHarness;
  let s3: S3Client;
  // One bucket for every run (SeaweedFS gives each bucket volumes of its own); a prefix per run.
  const bucket = 'kyc-backup-test';
  const prefix = `run-${suffix()}`;
  const logger = createLogger({ component: 'backup-test', level: 'silent' });
  const program = (overrides: Record<string, string> = {}): BackupProgram =>
    new BackupProgram(
      backupConfig({
        DATABASE_URL: h.db.url,
        BACKUP_S3_ENDPOINT: s3Env('S3_ENDPOINT'),
        BACKUP_S3_ACCESS_KEY_ID: s3Env('S3_ACCESS_KEY_ID'),
        BACKUP_S3_SECRET_ACCESS_KEY: s3Env('S3_SECRET_ACCESS_KEY'),
        BACKUP_S3_BUCKET: bucket,
        BACKUP_S3_PREFIX: prefix,
        BACKUP_ENCRYPTION_KEY: backupKey,
        KYC_VERSION: '1.4.2',
        ...overrides,
      }),
      logger,
    );
  const backupKey = randomBytes(32).toString('base64');
  const customerId = `cust-${suffix()}`;
  let customer: string;
  let applicationId: string;
  let documentId: string;
  const targets: TestDatabase[] = [];
  const freshDatabase = async (): Promise<TestDatabase> => {
    const db = await createTestDatabase();
    targets.push(db);
    return db;
  };
  const schemasIn = async (db: TestDatabase): Promise<string[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)', [
        [...SERVICE_SCHEMAS.keys()],
      ]);
      return rows.map((row) => row.nspname);
    } finally {
      await client.end();
    }
  };
  const objectBytes = async (key: string): Promise<Buffer> => {
    const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await (result.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  };
  const put = (key: string, body: Buffer | string): Promise<unknown> =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

  beforeAll(async () => {
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: s3Env('S3_ENDPOINT'),
      forcePathStyle: true,
      credentials: { accessKeyId: s3Env('S3_ACCESS_KEY_ID'), secretAccessKey: s3Env('S3_SECRET_ACCESS_KEY') },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
      if ((error as Error).name !== 'BucketAlreadyOwnedByYou' && (error as Error).name !== 'BucketAlreadyExists') throw error;
    });
    h = await startKycHarness({}, { waitForKafka: false });
    // The other services' schemas, as their own start-ups would make them: the backup holds all four.
    const pool = createPool(h.db.url, { max: 1 });
    try {
      for (const [schema, migrations] of SERVICE_SCHEMAS) if (schema !== 'kyc') await runMigrations(pool, schema, migrations);
    } finally {
      await pool.end();
    }
    customer = await token(customerId, 'customer');
    const draft = await request<{ id: string }>(h.url('/api/v1/applications'), { body: CONSENT, token: customer });
    applicationId = draft.body.id;
    expect(
      (await request(h.url(`/api/v1/applications/${applicationId}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer })).status,
    ).toBe(200);
    const uploaded = await request<{ id: string }>(h.url(`/api/v1/applications/${applicationId}/documents`), {
      body: passportDocument,
      token: customer,
    });
    expect(uploaded.status).toBe(201);
    documentId = uploaded.body.id;
  }, 60_000);

  afterAll(async () => {
    s3?.destroy();
    await h?.close();
    for (const db of targets) await db.drop();
  }, 60_000);

  it('when a backup is restored into a fresh database, then every table matches the manifest and the application reads back with its document decrypting', async () => {
    const backup = program();
    const result = await backup.backup();
    const manifest = await backup.manifest(result.id);
    expect(manifest.schemas.map((entry) => entry.schema).sort()).toEqual([...SERVICE_SCHEMAS.keys()].sort());
    expect(manifest.tables.find((t) => t.schema === 'kyc' && t.table === 'applications')?.rows).toBeGreaterThanOrEqual(1);
    expect(manifest.tables.find((t) => t.schema === 'kyc' && t.table === 'schema_migrations')?.rows).toBeGreaterThan(0);
    expect(manifest).toMatchObject({
      imageVersion: '1.4.2',
      encryption: { algorithm: 'AES-256-GCM', keyId: 'secret' },
      object: { bytes: result.bytes, key: result.key },
    });
    expect(result.bucket).toBe(backup.store.bucket);
    // Encrypted at rest: the applicant's name is nowhere in the object.
    expect((await objectBytes(manifest.object.key)).includes(Buffer.from('Raghunathan'))).toBe(false);

    const target = await freshDatabase();
    const restored = await backup.restore(result.id, target.url);
    expect(restored).toEqual({
      id: result.id,
      tables: manifest.tables.length,
      rows: manifest.tables.reduce((sum, t) => sum + t.rows, 0),
      replaced: [],
    });

    const kyc = await startKyc({
      port: 0,
      host: '127.0.0.1',
      logger,
      env: {
        DATABASE_URL: target.url,
        KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: `test-${suffix()}.`,
        ...verifierEnv(),
        PII_ENCRYPTION_KEYS: `k1:${PII_KEY}`,
        SHUTDOWN_GRACE_MS: '1000',
      },
    });
    try {
      const read = await request<{ applicant: { name: string } }>(`${kyc.url}/api/v1/applications/${applicationId}`, { token: customer });
      expect(read.status).toBe(200);
      expect(read.body.applicant.name).toBe(VALID_APPLICANT.name);
      const document = await fetch(`${kyc.url}/api/v1/applications/${applicationId}/documents/${documentId}`, {
        headers: { authorization: `Bearer ${customer}` },
      });
      expect(document.status).toBe(200);
      expect(Buffer.from(await document.arrayBuffer()).toString('base64')).toBe(passportDocument.content);
    } finally {
      await kyc.close();
    }
    backup.close();
  }, 90_000);

  it('when the object is altered, cut short, or its manifest rewritten to match, then the restore refuses it and writes nothing', async () => {
    const backup = program();
    const { id } = await backup.backup();
    const manifest = await backup.manifest(id);
    const original = await objectBytes(manifest.object.key);
    const target = await freshDatabase();

    const flipped = Buffer.from(original);
    const middle = Math.floor(flipped.length / 2);
    flipped[middle] = (flipped[middle] ?? 0) ^ 1;
    await put(manifest.object.key, flipped);
    await expect(backup.restore(id, target.url)).rejects.toThrow("the backup's SHA-256 does not match its manifest");

    // A manifest rewritten to the altered object's size and digest: the GCM tag still refuses it.
    const { createHash } = await import('node:crypto');
    const forged = { ...manifest, object: { ...manifest.object, sha256: createHash('sha256').update(flipped).digest('hex') } };
    await put(`${prefix}/${id}/${MANIFEST_NAME}`, JSON.stringify(forged));
    await expect(backup.restore(id, target.url)).rejects.toThrow(/AES-256-GCM tag mismatch/);

    await put(`${prefix}/${id}/${MANIFEST_NAME}`, JSON.stringify(manifest));
    await put(manifest.object.key, original.subarray(0, original.length - 1000));
    await expect(backup.restore(id, target.url)).rejects.toThrow(/truncated/);

    expect(await schemasIn(target)).toEqual([]);
    backup.close();
  }, 60_000);

  it('when the target already holds the service schemas, then the restore is refused with what it holds; forced, it replaces them', async () => {
    const backup = program();
    const { id } = await backup.backup();
    const target = await freshDatabase();
    await backup.restore(id, target.url);
    const marker = async (sql: string): Promise<number> => {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        return (await client.query(sql)).rowCount ?? 0;
      } finally {
        await client.end();
      }
    };
    // Written after the restore: a forced restore must take the target back to the backup.
    await marker('CREATE TABLE kyc.after_restore (x int)');
    const afterRestore = "SELECT 1 WHERE to_regclass('kyc.after_restore') IS NOT NULL";

    await expect(backup.restore(id, target.url)).rejects.toThrow(
      /^refused: the target database already has the schemas analytics, auth, kyc, notification \(about \d+ rows\).*force replaces them$/,
    );
    expect(await marker(afterRestore)).toBe(1);

    const forced = await backup.restore(id, target.url, { force: true });
    expect(forced.replaced).toEqual(['analytics', 'auth', 'kyc', 'notification']);
    expect(await marker(afterRestore)).toBe(0);
    expect(await marker(`SELECT 1 FROM kyc.applications WHERE id = '${applicationId}'`)).toBe(1);
    backup.close();
  }, 60_000);

  it('when more backups exist than the retention count, then the oldest are deleted after a backup', async () => {
    const backup = program({ BACKUP_RETENTION_COUNT: '2' });
    const before = await backup.list();
    const first = await backup.backup();
    const second = await backup.backup();
    expect(second.deleted.length).toBeGreaterThanOrEqual(before.length > 0 ? 1 : 0);
    const left = await backup.list();
    expect(left).toEqual([second.id, first.id]);
    expect(left).toHaveLength(2);
    // The data object went with its manifest.
    await expect(objectBytes(`${prefix}/${before[0] ?? 'none'}/${DATA_NAME}`)).rejects.toThrow();
    backup.close();
  }, 60_000);
});
