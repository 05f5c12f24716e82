// TLS between the platform's components (docs/workloads.md, "TLS between the components"):
// auth, kyc and the gateway in-process, each with its own certificate from a test CA (the operator's
// X.509 writer) in a directory laid out as a Secret volume, as the operator mounts it (KYC_TLS_DIR).
// The gateway finds kyc by a name (a fake resolver plays the headless Service) and connects to the
// address; kyc and the gateway load auth's keys over https. Real PostgreSQL, Redis and Kafka.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { SecretVolume, issueTls, testCa } from '../../../workloads/shared/testing/tls-files.js';
import type { TestCa } from '../../../workloads/shared/testing/tls-files.js';
import { checkTlsMaterial } from '../../../workloads/shared/index.js';
import { startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { SIGNING_KEYS, captureLogs, createTestDatabase, eventually, requireEnv, suffix } from './support.js';
import type { TestDatabase } from './support.js';

/** The names the operator would put in each certificate (the Services' DNS names), plus localhost for this test's clients. */
const NAMES = {
  auth: ['kyc-auth', 'kyc-auth-hl', 'localhost'],
  kyc: ['kyc-kyc', 'kyc-kyc-hl', 'localhost'],
  gateway: ['kyc-gateway', 'localhost'],
} as const;
type Component = keyof typeof NAMES;

interface Answer {
  status: number;
  body: string;
  protocol: string | null;
}

/** One request over https, trusting `ca` alone and checking the certificate against `localhost`. */
function call(
  port: number,
  path: string,
  ca: string,
  init: { method?: string; token?: string; body?: unknown; agent?: https.Agent } = {},
): Promise<Answer> {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? (body === undefined ? 'GET' : 'POST'),
        servername: 'localhost',
        ca,
        minVersion: 'TLSv1.3',
        agent: init.agent ?? false,
        headers: {
          ...(init.token && { authorization: `Bearer ${init.token}` }),
          ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const protocol = (res.socket as TLSSocket).getProtocol();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            protocol,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The serial of the certificate a new connection to `port` is shown (verified against `ca` and `localhost`). */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, minVersion: 'TLSv1.3' }, () => {
      resolve(socket.getPeerX509Certificate()?.serialNumber ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** How a TLS 1.2-only client's handshake with `port` ends. */
function tls12Handshake(port: number, ca: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, maxVersion: 'TLSv1.2' }, () => {
      socket.end();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A plain-text HTTP request to `port`: its status, or the error that ended it. */
function plainRequest(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/ready', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(`status ${res.statusCode ?? 0}`);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('TLS on every hop between the components', () => {
  let ca: TestCa;
  const volumes = {} as Record<Component, SecretVolume>;
  let authDb: TestDatabase;
  let auth: RunningAuth;
  let h: KycHarness;
  let gateway: RunningGateway;
  /** What kyc's main listener saw of each TLS connection made to it. */
  const kycConnections: Array<{ protocol: string | null; servername: string | false | null }> = [];

  beforeAll(async () => {
    ca = testCa();
    for (const component of Object.keys(NAMES) as Component[])
      volumes[component] = await SecretVolume.create(issueTls(ca, NAMES[component]));
    const redisPrefix = `test-${suffix()}:`;
    authDb = await createTestDatabase();
    auth = await startAuth({
      port: 0,
      host: '127.0.0.1',
      logger: captureLogs('auth', 'error').logger,
      env: {
        DATABASE_URL: authDb.url,
        REDIS_URL: requireEnv('REDIS_URL'),
        REDIS_KEY_PREFIX: redisPrefix,
        AUTH_SIGNING_KEYS: SIGNING_KEYS,
        AUTH_SCRYPT_COST: '1024',
        KYC_TLS_DIR: volumes.auth.dir,
      },
    });
    // auth's keys over https, its certificate checked against `localhost` (a name in it).
    const jwksUrl = `https://localhost:${auth.port}/.well-known/jwks.json`;
    h = await startKycHarness({ KYC_TLS_DIR: volumes.kyc.dir, AUTH_JWKS_URL: jwksUrl });
    h.kyc.server.on('secureConnection', (socket: TLSSocket) =>
      kycConnections.push({ protocol: socket.getProtocol(), servername: socket.servername }),
    );
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      logger: captureLogs('gateway', 'error').logger,
      // Every upstream name is one pod on 127.0.0.1 (the headless Services' A records).
      resolve: () => Promise.resolve(['127.0.0.1']),
      env: {
        KYC_TLS_DIR: volumes.gateway.dir,
        REDIS_URL: requireEnv('REDIS_URL'),
        REDIS_KEY_PREFIX: redisPrefix,
        AUTH_JWKS_URL: jwksUrl,
        UPSTREAM_AUTH: `https://kyc-auth:${auth.port}`,
        UPSTREAM_KYC: `https://kyc-kyc-hl:${h.kyc.port}`,
        // A name kyc's certificate does not carry: what a pod serving someone else's certificate looks like.
        UPSTREAM_NOTIFICATION: `https://kyc-notification-hl:${h.kyc.port}`,
        RATE_LIMIT_REQUESTS: '0',
      },
    });
  }, 90_000);

  afterAll(async () => {
    await gateway?.close();
    await h?.close();
    await auth?.close();
    await authDb?.drop();
    for (const volume of Object.values(volumes)) await volume.remove();
  }, 60_000);

  const listeners = (): Array<[string, number]> => [
    ['gateway', gateway.port],
    ['gateway metrics', gateway.metricsPort],
    ['kyc', h.kyc.port],
    ['kyc metrics', h.kyc.metricsPort],
    ['auth', auth.port],
    ['auth metrics', auth.metricsPort],
  ];

  it('when a customer opens an application through the gateway, then it works over TLS 1.3 on the client→gateway and gateway→kyc hops, the gateway naming kyc by its Service', async () => {
    expect([gateway.url, h.kyc.url, auth.url].every((url) => url.startsWith('https://'))).toBe(true);
    const customer = await token(`c-${suffix()}`, 'customer');
    const created = await call(gateway.port, '/api/v1/applications', ca.cert, {
      token: customer,
      body: { consent: { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1' } },
    });
    expect(created.status).toBe(201);
    expect(created.protocol).toBe('TLSv1.3');
    const id = (JSON.parse(created.body) as { id: string }).id;
    expect((await call(gateway.port, `/api/v1/applications/${id}`, ca.cert, { token: customer })).status).toBe(200);
    // Every connection kyc's API listener took came from the gateway: TLS 1.3, SNI = the UPSTREAM_KYC host.
    expect(kycConnections.length).toBeGreaterThan(0);
    expect(new Set(kycConnections.map((c) => `${c.protocol} ${c.servername}`))).toEqual(new Set(['TLSv1.3 kyc-kyc-hl']));
    // A login goes gateway→auth over TLS too.
    const login = await call(gateway.port, '/api/v1/auth/login', ca.cert, {
      body: { email: 'nobody@example.com', password: 'not-the-password' },
    });
    expect(login.status).toBe(401);
  });

  it('when a client offers TLS 1.2 at most, then every listener refuses the handshake; a plain-text request gets no HTTP answer', async () => {
    for (const [name, port] of listeners()) {
      expect([name, await tls12Handshake(port, ca.cert)]).toEqual([name, expect.stringMatching(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/)]);
      expect([name, await plainRequest(port)]).toEqual([name, expect.not.stringMatching(/^status/)]);
    }
  });

  it('when an upstream’s certificate does not carry the UPSTREAM_* name, then the gateway answers 503 temporarily-unavailable for it (not 500) and sends it nothing', async () => {
    const before = kycConnections.length;
    const customer = await token(`c-${suffix()}`, 'customer');
    const answer = await call(gateway.port, '/api/v1/notifications', ca.cert, { token: customer });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 503, upstream: 'notification' });
    expect(answer.body).toContain('temporarily-unavailable');
    // The handshakes were made and refused by the gateway: no request reached kyc's application.
    expect(kycConnections.slice(before).every((c) => c.servername === 'kyc-notification-hl')).toBe(true);
  });

  it('when every certificate is renewed mid-traffic, then no request fails, and new connections are shown the new certificates', async () => {
    const customer = await token(`c-${suffix()}`, 'customer');
    const created = await call(gateway.port, '/api/v1/applications', ca.cert, {
      token: customer,
      body: { consent: { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1' } },
    });
    const path = `/api/v1/applications/${(JSON.parse(created.body) as { id: string }).id}`;
    const counts = { ok: 0, failed: [] as string[] };
    let running = true;
    // Kept-alive clients and clients with a new connection per request, side by side.
    const keptAlive = new https.Agent({ keepAlive: true, maxSockets: 2 });
    const worker = async (agent: https.Agent | undefined): Promise<void> => {
      while (running) {
        try {
          const answer = await call(gateway.port, path, ca.cert, { token: customer, ...(agent && { agent }) });
          if (answer.status === 200) counts.ok += 1;
          else counts.failed.push(`status ${answer.status}`);
        } catch (error) {
          counts.failed.push((error as Error).message);
        }
      }
    };
    const workers = [worker(keptAlive), worker(keptAlive), worker(undefined), worker(undefined)];
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const renewed = {} as Record<Component, string>;
      for (const component of Object.keys(NAMES) as Component[]) {
        const material = issueTls(ca, NAMES[component]);
        renewed[component] = checkTlsMaterial(material).serial;
        await volumes[component].swap(material);
      }
      // Each service reads its directory again within 5 s (tls.ts).
      const services = { gateway: gateway.service, kyc: h.kyc.service, auth: auth.service };
      for (const component of Object.keys(NAMES) as Component[])
        await eventually(() => (services[component].tls?.current.serial === renewed[component] ? true : undefined), 10_000, 100);
      const countAtRenewal = counts.ok;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(counts.ok).toBeGreaterThan(countAtRenewal);
      for (const [name, port] of listeners()) {
        const component = name.split(' ')[0] as Component;
        expect([name, await servedSerial(port, ca.cert)]).toEqual([name, renewed[component]]);
      }
    } finally {
      running = false;
      await Promise.all(workers);
      keptAlive.destroy();
    }
    expect(counts.failed).toEqual([]);
    expect(counts.ok).toBeGreaterThan(50);
  }, 30_000);
});
