// Where a platform's Kafka is: the broker list in the Secret its spec.dependencies.kafka.secretRef names,
// the same value its kyc, notification and analytics pods read as KAFKA_BROKERS (docs/autoscaling.md,
// "Whose Kafka"). The operator reads that Secret by name (get only: it cannot list or watch Secrets), so
// it cannot see a change: the list is read again after `refreshMs` and at once after a failed lag read
// (the brokers may have moved). What goes wrong names the Secret and the key, never the value.
import { z } from 'zod';
import { LAG_READER_KEYS } from '../../api/components.js';
import type { KafkaCredential } from './kafka-lag.js';

/** The decoded data of Secret `name` in `namespace`, or undefined when there is no such Secret. */
export type ReadSecret = (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;

/** A Secret key: what Kubernetes accepts in a Secret's data. */
const secretKey = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key');

export const kafkaSecretSchema = z.object({
  namespace: z.string().min(1),
  name: z.string().min(1),
  key: secretKey,
  /** spec.dependencies.kafka.tls is Required: connect over TLS, trusting the Secret's ca.crt. */
  tls: z.boolean().optional(),
  /**
   * spec.dependencies.kafka.credentials is PerComponent: authenticate as the lag reader's own read-only
   * principal, the Secret's keys lag-reader-username and lag-reader-password (docs/security.md, "Kafka").
   */
  credentials: z.boolean().optional(),
});
export type KafkaSecret = z.infer<typeof kafkaSecretSchema>;

/** The key of the Kafka Secret with the CA bundle of the brokers' certificates (render/store-tls.ts). */
export const KAFKA_CA_KEY = 'ca.crt';

/** Where the brokers are and how to reach them: TLS trusting `ca`, SASL as `sasl` (each only when declared). */
export interface KafkaEndpoint {
  brokers: string[];
  ca?: string;
  sasl?: KafkaCredential;
}

/** How often the broker list is read again when nothing failed. */
export const BROKERS_REFRESH_MS = 60_000;

// The workloads' own rule (workloads/shared/config.ts): plain host:port entries. Anything else (a URL with
// user:password@, a typo) is refused without being echoed, so no credential reaches a log or a status.
const BROKER = /^[^\s:@/]+:\d{1,5}$/;

/** `host:port[,host:port...]` as a list, or undefined when the value is not one. */
export function parseBrokers(value: string): string[] | undefined {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return brokers.length > 0 && brokers.every((b) => BROKER.test(b)) ? brokers : undefined;
}

export const describeSecret = (secret: KafkaSecret): string =>
  `key "${secret.key}" of Secret ${secret.namespace}/${secret.name} (spec.dependencies.kafka.secretRef)`;

/** The broker list of one platform's Kafka Secret, read when first asked and again when it may be stale. */
export class KafkaBrokers {
  private cached: (KafkaEndpoint & { readAt: number }) | undefined;
  private reading: Promise<string[]> | undefined;

  constructor(
    readonly secret: KafkaSecret,
    private readonly readSecret: ReadSecret,
    private readonly options: { refreshMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** The brokers, from the cache while it is fresh. Throws with the Secret and key when there are none. */
  async brokers(): Promise<string[]> {
    const refreshMs = this.options.refreshMs ?? BROKERS_REFRESH_MS;
    if (this.cached && this.now() - this.cached.readAt < refreshMs) return this.cached.brokers;
    // Sources of one Secret share this object: one read answers every source asking at the same time.
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** The brokers and, when the Secret's Kafka declares them, the CA bundle to verify them with and the lag reader's credential. */
  async endpoint(): Promise<KafkaEndpoint> {
    const brokers = await this.brokers();
    const read = this.cached?.brokers === brokers ? this.cached : undefined;
    return { brokers, ...(read?.ca !== undefined && { ca: read.ca }), ...(read?.sasl && { sasl: read.sasl }) };
  }

  /** The list may be wrong (a lag read failed): the next call reads the Secret again. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async read(): Promise<string[]> {
    const { namespace, name, key } = this.secret;
    let data: Readonly<Record<string, string>> | undefined;
    try {
      data = await this.readSecret(namespace, name);
    } catch (error) {
      this.cached = undefined;
      throw new Error(`reading Secret ${namespace}/${name} for the Kafka brokers`, { cause: error });
    }
    this.cached = undefined;
    if (!data) throw new Error(`no Kafka brokers: Secret ${namespace}/${name} (spec.dependencies.kafka.secretRef) does not exist`);
    const value = data[key];
    if (value === undefined)
      throw new Error(`no Kafka brokers: Secret ${namespace}/${name} (spec.dependencies.kafka.secretRef) has no key "${key}"`);
    const brokers = parseBrokers(value);
    if (!brokers) throw new Error(`no Kafka brokers: ${describeSecret(this.secret)} is not a host:port[,host:port...] list`);
    const ca = this.secret.tls ? data[KAFKA_CA_KEY] : undefined;
    if (this.secret.tls && !ca)
      throw new Error(
        `no Kafka CA: Secret ${namespace}/${name} has no key "${KAFKA_CA_KEY}", which spec.dependencies.kafka.tls Required needs`,
      );
    const sasl = this.secret.credentials ? lagReaderCredential(this.secret, data) : undefined;
    this.cached = { brokers, ...(ca ? { ca } : {}), ...(sasl && { sasl }), readAt: this.now() };
    return brokers;
  }
}

/** The lag reader's user and password from the Secret's data; a missing key fails naming it (never a value). */
function lagReaderCredential(secret: KafkaSecret, data: Readonly<Record<string, string>>): KafkaCredential {
  const username = data[LAG_READER_KEYS.username];
  const password = data[LAG_READER_KEYS.password];
  const missing = Object.values(LAG_READER_KEYS).filter((key) => !data[key]);
  if (!username || !password)
    throw new Error(
      `no Kafka credential for the lag reader: Secret ${secret.namespace}/${secret.name} has no key ${missing.map((k) => `"${k}"`).join(' or ')}, which spec.dependencies.kafka.credentials PerComponent needs`,
    );
  return { username, password };
}
