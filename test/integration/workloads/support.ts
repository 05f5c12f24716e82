// Helpers for the workloads' component tests: a private database per test file, unique Redis and
// Kafka prefixes, captured logs, and small HTTP helpers.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createLogger, memoryDestination, parseSigningKeys, publicJwks, signAccessToken } from '../../../workloads/shared/index.js';
import type { Logger, Principal, SigningKey } from '../../../workloads/shared/index.js';

/** A fresh Ed25519 key ring in AUTH_SIGNING_KEYS form (`kid:base64(PKCS#8 DER)`), one key per kid. */
export function newSigningKeys(...kids: string[]): string {
  return kids
    .map((kid) => `${kid}:${generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`)
    .join(',');
}

/** A JWKS server for a key ring (what auth serves at /.well-known/jwks.json), on a free loopback port. */
export async function startJwksServer(ring: string): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  const body = JSON.stringify(publicJwks(parseSigningKeys(ring)));
  let count = 0;
  const server = createServer((_req, res) => {
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would otherwise go on answering (and hold close() open).
        server.closeAllConnections();
      }),
  };
}

/**
 * The test platform's token keys: AUTH_SIGNING_KEYS for auth, and for every other service the JWKS URL
 * of a server publishing the same ring, so tokens from auth and from signToken verify alike.
 */
export const SIGNING_KEYS = newSigningKeys('test-1');
const signingKey = parseSigningKeys(SIGNING_KEYS)[0] as SigningKey;
const jwks = await startJwksServer(SIGNING_KEYS);
export const JWKS_URL = jwks.url;

/** An access token as auth would sign it (tests that need no auth service). */
export function signToken(principal: Principal, ttlSeconds?: number): Promise<string> {
  return Promise.resolve(signAccessToken(principal, signingKey, ttlSeconds === undefined ? {} : { ttlSeconds }));
}

/** What a service other than auth needs to verify tokens: auth's keys and the platform's revocation list. */
export function verifierEnv(): { AUTH_JWKS_URL: string; REDIS_URL: string } {
  return { AUTH_JWKS_URL: JWKS_URL, REDIS_URL: requireEnv('REDIS_URL') };
}

export function requireEnv(name: 'DATABASE_URL' | 'REDIS_URL' | 'KAFKA_BROKERS'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through hack/with-env.sh (make deps first)`);
  return value;
}

export const suffix = (): string => randomBytes(5).toString('hex');

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE kyc_test_<random>; drop() removes it (terminating leftover connections). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = requireEnv('DATABASE_URL');
  const name = `kyc_test_${suffix()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface CapturedLogs {
  logger: Logger;
  text(): string;
}

export function captureLogs(component: string, level = 'debug'): CapturedLogs {
  const destination = memoryDestination();
  return { logger: createLogger({ component, level, destination }), text: () => destination.text() };
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function request<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined || init.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });
  const text = await response.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { raw: text };
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
