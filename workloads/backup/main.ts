// The backup program of the workloads image (docs/backup.md):
//   node dist/workloads/main.js backup [run]          dump, encrypt, upload, apply retention (the CronJob)
//   node dist/workloads/main.js backup list           the complete backups, newest first
//   node dist/workloads/main.js backup restore <id|latest> [--force]   into RESTORE_DATABASE_URL, a fresh database
//                                                     (--force: replace the service schemas it has)
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createLogger, createPool, loadConfig, schemas } from '../shared/index.js';
import type { Env, Logger } from '../shared/index.js';
import { dumpSchemas } from './dump.js';
import { encryptStream } from './envelope.js';
import { SecretKeySource } from './keys.js';
import type { DataKeySource } from './keys.js';
import { MANIFEST_FORMAT, parseManifest } from './manifest.js';
import type { Manifest } from './manifest.js';
import { restoreInto } from './restore.js';
import type { RestoreOptions, RestoreResult } from './restore.js';
import { writeTerminationMessage, writeTerminationReport } from './report.js';
import type { BackupReport } from './report.js';
import { expired, foldersOf } from './retention.js';
import { SERVICE_SCHEMAS } from './schemas.js';
import { BackupStore } from './store.js';

export const DATA_NAME = 'data.kycbak';
export const MANIFEST_NAME = 'manifest.json';

const backupEnv = z.object({
  /** The owner role's URL (it can read every service schema). */
  DATABASE_URL: schemas.postgresUrl,
  /** The restore's target: a fresh database. */
  RESTORE_DATABASE_URL: schemas.postgresUrl.optional(),
  BACKUP_S3_ENDPOINT: z.url().optional(),
  BACKUP_S3_REGION: z.string().default('us-east-1'),
  BACKUP_S3_BUCKET: z.string().min(3),
  BACKUP_S3_PREFIX: z.string().default(''),
  /** Unset: the SDK's own chain (environment, web identity, instance role). */
  BACKUP_S3_ACCESS_KEY_ID: z.string().optional(),
  BACKUP_S3_SECRET_ACCESS_KEY: z.string().optional(),
  BACKUP_ENCRYPTION_KEY: z.string(),
  BACKUP_KEY_ID: z.string().default('secret'),
  BACKUP_RETENTION_COUNT: z.coerce.number().int().min(1).default(7),
  BACKUP_RETENTION_MAX_AGE_SECONDS: z.coerce.number().int().min(1).optional(),
  BACKUP_WORK_DIR: z.string().default(tmpdir()),
  KYC_PLATFORM: z.string().optional(),
  KYC_VERSION: z.string().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
export type BackupConfig = z.infer<typeof backupEnv>;

export const backupConfig = (env: Env = process.env): BackupConfig => loadConfig(backupEnv, env);

export interface BackupResult extends BackupReport {
  /** Backups removed by retention after this one. */
  deleted: string[];
}

/** A sortable UTC id: 2026-12-05T16-20-00-123Z. */
export const backupId = (now: Date): string => now.toISOString().replace(/[:.]/g, '-');

export class BackupProgram {
  readonly store: BackupStore;
  private readonly keys: DataKeySource;

  constructor(
    readonly config: BackupConfig,
    private readonly logger: Logger,
    keys?: DataKeySource,
  ) {
    this.store = new BackupStore({
      endpoint: config.BACKUP_S3_ENDPOINT,
      region: config.BACKUP_S3_REGION,
      bucket: config.BACKUP_S3_BUCKET,
      prefix: config.BACKUP_S3_PREFIX,
      accessKeyId: config.BACKUP_S3_ACCESS_KEY_ID,
      secretAccessKey: config.BACKUP_S3_SECRET_ACCESS_KEY,
    });
    this.keys = keys ?? new SecretKeySource(config.BACKUP_ENCRYPTION_KEY, config.BACKUP_KEY_ID);
  }

  async backup(now = new Date()): Promise<BackupResult> {
    const id = backupId(now);
    const { keyId, key } = await this.keys.current();
    const dir = await mkdtemp(join(this.config.BACKUP_WORK_DIR, 'kyc-backup-'));
    const path = join(dir, DATA_NAME);
    const pool = createPool(this.config.DATABASE_URL, { max: 1, applicationName: 'kyc-backup' });
    try {
      const plain = new PassThrough();
      const hash = createHash('sha256');
      const encrypted = encryptStream(key, id);
      encrypted.on('data', (chunk: Buffer) => hash.update(chunk));
      const written = pipeline(plain, encrypted, createWriteStream(path, { mode: 0o600 }));
      const client = await pool.connect();
      let contents;
      try {
        contents = await dumpSchemas(client, [...SERVICE_SCHEMAS.keys()], plain, (dumped) => ({
          format: MANIFEST_FORMAT,
          id,
          createdAt: now.toISOString(),
          ...(this.config.KYC_PLATFORM && { platform: this.config.KYC_PLATFORM }),
          ...(this.config.KYC_VERSION && { imageVersion: this.config.KYC_VERSION }),
          encryption: { algorithm: 'AES-256-GCM', keyId },
          ...dumped,
        }));
        plain.end();
      } catch (error) {
        plain.destroy(error as Error);
        throw error;
      } finally {
        client.release();
      }
      await written;
      const { size } = await stat(path);
      const manifest: Manifest = { ...contents, object: { key: this.store.key(id, DATA_NAME), bytes: size, sha256: hash.digest('hex') } };
      await this.store.putFile(manifest.object.key, path, size);
      await this.store.putText(this.store.key(id, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
      const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
      this.logger.info(
        { id, bytes: size, tables: manifest.tables.length, rows, bucket: this.store.bucket, key: manifest.object.key },
        'backup uploaded',
      );
      const deleted = await this.applyRetention(now);
      return { id, bucket: this.store.bucket, key: manifest.object.key, bytes: size, tables: manifest.tables.length, rows, deleted };
    } finally {
      await pool.end();
      await rm(dir, { recursive: true, force: true });
    }
  }

  async applyRetention(now = new Date()): Promise<string[]> {
    const folders = foldersOf(await this.store.list(), (key) => this.store.idOf(key), MANIFEST_NAME);
    const gone = expired(
      folders,
      { keep: this.config.BACKUP_RETENTION_COUNT, maxAgeSeconds: this.config.BACKUP_RETENTION_MAX_AGE_SECONDS },
      now,
    );
    if (gone.length > 0) {
      await this.store.delete(gone.flatMap((folder) => folder.keys));
      this.logger.info({ deleted: gone.map((folder) => folder.id) }, 'old backups deleted (retention)');
    }
    return gone.map((folder) => folder.id);
  }

  /** The complete backups, newest first. */
  async list(): Promise<string[]> {
    return foldersOf(await this.store.list(), (key) => this.store.idOf(key), MANIFEST_NAME)
      .filter((folder) => folder.complete)
      .map((folder) => folder.id);
  }

  async manifest(id: string): Promise<Manifest> {
    const key = this.store.key(id, MANIFEST_NAME);
    return parseManifest(await this.store.getText(key), `s3://${this.store.bucket}/${key}`);
  }

  async restore(
    idOrLatest: string,
    targetUrl = this.config.RESTORE_DATABASE_URL,
    options: RestoreOptions = {},
  ): Promise<RestoreResult & { id: string }> {
    if (!targetUrl) throw new Error('RESTORE_DATABASE_URL is not set: the restore goes into a fresh database it names');
    const id = idOrLatest === 'latest' ? (await this.list())[0] : idOrLatest;
    if (!id) throw new Error(`no complete backup under s3://${this.store.bucket}/${this.store.prefix}`);
    const manifest = await this.manifest(id);
    const key = await this.keys.forBackup(manifest.encryption.keyId);
    const dir = await mkdtemp(join(this.config.BACKUP_WORK_DIR, 'kyc-restore-'));
    const path = join(dir, DATA_NAME);
    const pool = createPool(targetUrl, { max: 2, applicationName: 'kyc-restore' });
    try {
      await this.store.getFile(manifest.object.key, path);
      const result = await restoreInto(pool, path, key, manifest, SERVICE_SCHEMAS, options);
      this.logger.info({ id, ...result }, 'backup restored and verified against its manifest');
      return { id, ...result };
    } finally {
      await pool.end();
      await rm(dir, { recursive: true, force: true });
    }
  }

  close(): void {
    this.store.close();
  }
}

export async function main(args: readonly string[] = process.argv.slice(3), env: Env = process.env): Promise<void> {
  const config = backupConfig(env);
  const logger = createLogger({ component: 'backup', level: config.LOG_LEVEL });
  const program = new BackupProgram(config, logger);
  try {
    const [command = 'run', argument] = args;
    if (command === 'run') {
      const result = await program.backup();
      process.stdout.write(`${JSON.stringify(result)}\n`);
      // For status.backup: the operator reads the pod's termination message, not the bucket.
      writeTerminationReport(result);
    } else if (command === 'list') {
      for (const id of await program.list()) process.stdout.write(`${id}\n`);
    } else if (command === 'restore') {
      if (!argument || argument.startsWith('-')) throw new Error('usage: backup restore <id|latest> [--force]');
      const result = await program.restore(argument, undefined, { force: args.includes('--force') });
      process.stdout.write(`${JSON.stringify(result)}\n`);
      // For condition Restored: the operator reads the restore pod's termination message.
      writeTerminationMessage(JSON.stringify({ restore: result }));
    } else throw new Error(`usage: backup [run|list|restore <id|latest> [--force]] (got ${JSON.stringify(command)})`);
  } finally {
    program.close();
  }
}
