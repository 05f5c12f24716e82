// Where backups live: an S3-compatible bucket under a prefix, one folder per backup (docs/backup.md,
// "Where"): <prefix>/<id>/data.kycbak and <prefix>/<id>/manifest.json, the manifest written last, so a
// folder without one is an unfinished backup.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

export interface StoredObject {
  key: string;
  bytes: number;
  lastModified: Date;
}

export interface S3Settings {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

export class BackupStore {
  private readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.prefix = settings.prefix.replace(/^\/+|\/+$/g, '');
    this.client = new S3Client({
      region: settings.region,
      // Checksums only where S3 requires them: S3-compatible servers differ in what they accept of the rest.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(settings.endpoint && { endpoint: settings.endpoint, forcePathStyle: true }),
      ...(settings.accessKeyId &&
        settings.secretAccessKey && { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }),
    });
  }

  key(id: string, name: string): string {
    return [this.prefix, id, name].filter(Boolean).join('/');
  }

  async putFile(key: string, path: string, bytes: number): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: bytes,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async putText(key: string, text: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: text, ContentType: 'application/json' }));
  }

  async getText(key: string): Promise<string> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!result.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return result.Body.transformToString();
  }

  async getFile(key: string, path: string): Promise<void> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!result.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    await pipeline(result.Body as Readable, createWriteStream(path, { mode: 0o600 }));
  }

  async size(key: string): Promise<number> {
    const result = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    return result.ContentLength ?? 0;
  }

  async list(): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix ? `${this.prefix}/` : undefined, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? [])
        if (item.Key) objects.push({ key: item.Key, bytes: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0)
        throw new Error(`could not delete ${failed.length} backup objects (first: ${failed[0]?.Key} ${failed[0]?.Message})`);
    }
  }

  /** The id of the backup folder a key is in ("" when the key is not in one). */
  idOf(key: string): string {
    const rest = this.prefix ? key.slice(this.prefix.length + 1) : key;
    return rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : '';
  }

  close(): void {
    this.client.destroy();
  }
}
