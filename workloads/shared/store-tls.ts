// TLS to the data stores (docs/security.md, "Data in transit to the stores"): how the PostgreSQL, Redis and
// Kafka clients of every program (services, migrations, backup) connect, from their URL and three pairs of
// variables (docs/workload-contract.md):
//   DATABASE_TLS  required: DATABASE_URL must ask for verified TLS (sslmode=verify-full), or the program
//                 refuses to start; optional (default): TLS when the URL asks for it
//   REDIS_TLS     required: REDIS_URL must be rediss://; optional (default): as the URL says
//   KAFKA_TLS     required: TLS to every broker of KAFKA_BROKERS; disabled (default): plaintext
//   <X>_CA_FILE   the CA bundle (PEM) the store's certificate is verified against, instead of the
//                 system's roots (the operator mounts the key ca.crt of the dependency's Secret there)
// TLS here always verifies the chain and the name: the certificate must name the host of the URL.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { z } from 'zod';
import { ConfigError, loadConfig, type Env } from './config.js';

export interface StoreTls {
  /** Refuse a connection without verified TLS (the program does not start). */
  required: boolean;
  /** The CA bundle to trust instead of the system's roots. */
  caFile?: string;
}

export interface StoresTls {
  postgres: StoreTls;
  redis: StoreTls;
  kafka: StoreTls;
}

const storeTlsEnv = z.object({
  DATABASE_TLS: z.enum(['required', 'optional']).default('optional'),
  DATABASE_CA_FILE: z.string().optional(),
  REDIS_TLS: z.enum(['required', 'optional']).default('optional'),
  REDIS_CA_FILE: z.string().optional(),
  KAFKA_TLS: z.enum(['required', 'disabled']).default('disabled'),
  KAFKA_CA_FILE: z.string().optional(),
});

/** The TLS settings of the three stores from the environment; a bad value is a ConfigError naming it. */
export function storesTlsFromEnv(env: Env = process.env): StoresTls {
  const c = loadConfig(storeTlsEnv, env);
  return {
    postgres: { required: c.DATABASE_TLS === 'required', caFile: c.DATABASE_CA_FILE },
    redis: { required: c.REDIS_TLS === 'required', caFile: c.REDIS_CA_FILE },
    kafka: { required: c.KAFKA_TLS === 'required', caFile: c.KAFKA_CA_FILE },
  };
}

/** Node's TLS options for a store: the chain verified (against the CA file when given), TLS 1.2 at least. */
function verifiedTls(ca: string | undefined, variable: string): ConnectionOptions {
  return { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(ca ? { ca: readCa(ca, variable) } : {}) };
}

function readCa(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read the CA bundle ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, [
      variable,
    ]);
  }
}

/** sslmode values node-postgres treats as TLS (it verifies chain and name for all of them, libpq only for verify-full). */
const TLS_SSLMODES = new Set(['require', 'verify-ca', 'verify-full']);

/**
 * node-postgres's connection settings for DATABASE_URL. With TLS, the URL's sslmode and sslrootcert are taken
 * out and replaced by explicit `ssl` options: node-postgres lets the URL's ssl settings override the `ssl`
 * option, so DATABASE_CA_FILE could not be added to a URL that asks for TLS otherwise. The CA is
 * DATABASE_CA_FILE, else the URL's sslrootcert, else the system's roots; the host name is always checked.
 */
export function postgresConnection(url: string, tls: StoreTls): { connectionString: string; ssl?: ConnectionOptions } {
  const parsed = parseUrl(url, 'DATABASE_URL');
  const sslmode = parsed.searchParams.get('sslmode');
  if (tls.required && sslmode !== 'verify-full')
    throw new ConfigError(
      `DATABASE_URL does not ask for verified TLS (sslmode=${sslmode ?? 'absent'}) while DATABASE_TLS is required: add sslmode=verify-full to the URL (docs/security.md, "Data in transit to the stores")`,
      ['DATABASE_URL'],
    );
  if (!sslmode || !TLS_SSLMODES.has(sslmode)) return { connectionString: url };
  const rootcert = parsed.searchParams.get('sslrootcert') ?? undefined;
  parsed.searchParams.delete('sslmode');
  parsed.searchParams.delete('sslrootcert');
  return {
    connectionString: parsed.toString(),
    ssl: verifiedTls(tls.caFile ?? rootcert, tls.caFile ? 'DATABASE_CA_FILE' : 'DATABASE_URL sslrootcert'),
  };
}

/** ioredis's `tls` option for REDIS_URL: verified TLS for rediss://, none for redis:// (refused when required). */
export function redisTls(url: string, tls: StoreTls): ConnectionOptions | undefined {
  const secure = url.startsWith('rediss://');
  if (tls.required && !secure)
    throw new ConfigError(
      'REDIS_URL is a plaintext redis:// URL while REDIS_TLS is required: use rediss:// and the TLS port (docs/security.md, "Data in transit to the stores")',
      ['REDIS_URL'],
    );
  return secure ? verifiedTls(tls.caFile, 'REDIS_CA_FILE') : undefined;
}

/** kafkajs's `ssl` option: verified TLS to every broker when KAFKA_TLS is required, plaintext otherwise. */
export function kafkaSsl(tls: StoreTls): ConnectionOptions | undefined {
  return tls.required ? verifiedTls(tls.caFile, 'KAFKA_CA_FILE') : undefined;
}

function parseUrl(url: string, variable: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new ConfigError(`${variable} is not a URL`, [variable]);
  }
}
