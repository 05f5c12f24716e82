// The AWS KMS adapter (the AWS KMS API through @aws-sdk/client-kms; local runs and tests point it at
// local-kms, hack/deps/kms.sh). The key-encryption key stays in the KMS: data keys come out of
// GenerateDataKey and Decrypt, and ReEncrypt moves a wrapped data key to the current key version inside
// the KMS (docs/security.md, "Keys held by a KMS"). With a parking key it also hands out that RSA key's
// public half (GetPublicKey) and unwraps what was parked under it (Decrypt, RSAES_OAEP_SHA_256).
import {
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import type { EncryptionContext, KeyManagementService, ParkingKeyService, WrappedDataKey } from '../domain/protection/kms.js';

export interface AwsKmsOptions {
  /** A key id, key ARN, alias name (`alias/kyc-pii`) or alias ARN: where new data keys are wrapped. */
  keyId: string;
  region: string;
  /** Another endpoint than AWS's (local-kms, a VPC endpoint). */
  endpoint?: string;
  /** Static credentials; without them the SDK's default chain (web identity, instance role, ...) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Per attempt: a KMS that does not answer is reported quickly (writes answer 503) instead of holding requests. */
  timeoutMs: number;
  /** The RSA key (ENCRYPT_DECRYPT, RSA_3072 or RSA_4096) writes are parked under while the KMS is away. */
  parkingKeyId?: string;
}

/** The only RSA encryption algorithm the parking key is used with (domain/protection/parking.ts). */
const PARKING_ALGORITHM = 'RSAES_OAEP_SHA_256';

export class AwsKms implements KeyManagementService, ParkingKeyService {
  private readonly client: KMSClient;

  constructor(private readonly options: AwsKmsOptions) {
    this.client = new KMSClient({
      region: options.region,
      ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
      ...(options.credentials !== undefined && { credentials: options.credentials }),
      maxAttempts: 2,
      requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
    });
  }

  async generateDataKey(context: EncryptionContext): Promise<{ plaintext: Buffer; wrapped: WrappedDataKey }> {
    const out = await this.client.send(
      new GenerateDataKeyCommand({ KeyId: this.options.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }),
    );
    if (!out.Plaintext || !out.CiphertextBlob || !out.KeyId) throw new Error('GenerateDataKey answered without a key');
    return { plaintext: Buffer.from(out.Plaintext), wrapped: { kmsKeyId: out.KeyId, ciphertext: Buffer.from(out.CiphertextBlob) } };
  }

  async decryptDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<Buffer> {
    const out = await this.client.send(
      new DecryptCommand({ KeyId: wrapped.kmsKeyId, CiphertextBlob: wrapped.ciphertext, EncryptionContext: { ...context } }),
    );
    if (!out.Plaintext) throw new Error('Decrypt answered without a key');
    return Buffer.from(out.Plaintext);
  }

  async reEncryptDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<WrappedDataKey> {
    const out = await this.client.send(
      new ReEncryptCommand({
        CiphertextBlob: wrapped.ciphertext,
        SourceKeyId: wrapped.kmsKeyId,
        SourceEncryptionContext: { ...context },
        DestinationKeyId: this.options.keyId,
        DestinationEncryptionContext: { ...context },
      }),
    );
    if (!out.CiphertextBlob || !out.KeyId) throw new Error('ReEncrypt answered without a key');
    return { kmsKeyId: out.KeyId, ciphertext: Buffer.from(out.CiphertextBlob) };
  }

  async currentKeyId(): Promise<string> {
    const out = await this.client.send(new DescribeKeyCommand({ KeyId: this.options.keyId }));
    if (!out.KeyMetadata?.Arn) throw new Error(`DescribeKey ${this.options.keyId} answered without an ARN`);
    return out.KeyMetadata.Arn;
  }

  async parkingPublicKey(): Promise<{ kmsKeyId: string; spki: Buffer }> {
    const keyId = this.options.parkingKeyId;
    if (keyId === undefined) throw new Error('no parking key is configured (KMS_PARKING_KEY_ID)');
    const out = await this.client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (!out.PublicKey || !out.KeyId) throw new Error(`GetPublicKey ${keyId} answered without a key`);
    if (out.KeyUsage !== 'ENCRYPT_DECRYPT') throw new Error(`parking key ${keyId} is not an ENCRYPT_DECRYPT key`);
    return { kmsKeyId: out.KeyId, spki: Buffer.from(out.PublicKey) };
  }

  async unwrapParked(wrapped: WrappedDataKey): Promise<Buffer> {
    // Asymmetric Decrypt needs the key named: the ciphertext does not say which key made it.
    const out = await this.client.send(
      new DecryptCommand({ KeyId: wrapped.kmsKeyId, CiphertextBlob: wrapped.ciphertext, EncryptionAlgorithm: PARKING_ALGORITHM }),
    );
    if (!out.Plaintext) throw new Error('Decrypt answered without a key');
    return Buffer.from(out.Plaintext);
  }

  close(): void {
    this.client.destroy();
  }
}
