// The gateway in front of the real kyc service: the kyc process is stopped and started again on the
// same port; the breaker opens (503 + Retry-After for everything: an application view holds personal
// data and is never kept for a stale answer) and closes once kyc is back. Neither the gateway's Redis
// keys nor its logs ever carry the name, PAN or Aadhaar that passed through it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { startKyc } from '../../../workloads/kyc/main.js';
import type { RunningKyc } from '../../../workloads/kyc/main.js';
import { closeRedis, createRedis } from '../../../workloads/shared/index.js';
import { captureLogs, createTestDatabase, eventually, request, requireEnv, signToken, suffix, verifierEnv } from './support.js';
import type { TestDatabase } from './support.js';

const PAN = 'ABCPR1234F';
const AADHAAR = '234123412346';
const NAME = 'Kavya Raghunathan';

describe('gateway with the real kyc service', () => {
  let db: TestDatabase;
  let kyc: RunningKyc | undefined;
  let kycPort = 0;
  let gateway: RunningGateway;
  const gatewayLogs = captureLogs('gateway');
  const kycEnv = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: prefix,
    ...verifierEnv(),
    PII_ENCRYPTION_KEYS: `k1:${piiKey}`,
    SHUTDOWN_GRACE_MS: '1000',
  });
  const prefix = `test-${suffix()}.`;
  const piiKey = randomBytes(32).toString('base64');
  const gatewayPrefix = `test-${suffix()}:`;

  beforeAll(async () => {
    db = await createTestDatabase();
    kyc = await startKyc({ port: 0, host: '127.0.0.1', logger: captureLogs('kyc', 'error').logger, env: kycEnv() });
    kycPort = kyc.port;
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      logger: gatewayLogs.logger,
      env: {
        REDIS_KEY_PREFIX: gatewayPrefix,
        ...verifierEnv(),
        UPSTREAM_KYC: kyc.url,
        BREAKER_TIMEOUT_MS: '2000',
        BREAKER_RESET_TIMEOUT_MS: '1000',
        BREAKER_VOLUME_THRESHOLD: '3',
        LOG_LEVEL: 'debug',
      },
    });
  }, 90_000);

  afterAll(async () => {
    await gateway?.close();
    await kyc?.close();
    await db?.drop();
  }, 60_000);

  it("when kyc is stopped, reads and writes get 503 + Retry-After (no stale application views); nothing in the gateway's Redis holds the applicant; when kyc is back, the breaker closes", async () => {
    const token = await signToken({ sub: `c-${suffix()}`, role: 'customer' });
    const api = (path: string): string => `${gateway.url}/api/v1${path}`;
    const draft = await request<{ id: string }>(api('/applications'), {
      token,
      body: { consent: { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1' } },
    });
    expect(draft.status).toBe(201);
    const patched = await request(api(`/applications/${draft.body.id}`), {
      method: 'PATCH',
      token,
      body: { name: NAME, pan: PAN, aadhaar: AADHAAR },
    });
    expect(patched.status).toBe(200);
    const fresh = await request(api(`/applications/${draft.body.id}`), { token });
    expect(fresh.status).toBe(200);
    expect(fresh.text).not.toContain(AADHAAR);
    expect(fresh.text).toContain(NAME);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a cache write would be fire-and-forget
    const redis = createRedis(requireEnv('REDIS_URL'), { connectionName: 'gateway-real-kyc-test' });
    try {
      const keys = await redis.keys(`${gatewayPrefix}*`);
      const values = await Promise.all(keys.map(async (key) => `${key} ${(await redis.dump(key)) ?? ''}`));
      expect(keys.filter((key) => key.includes('stale:'))).toEqual([]);
      for (const secret of [NAME, 'Kavya', PAN, PAN.slice(0, 5), AADHAAR, AADHAAR.slice(-4)])
        expect(values.join('\n')).not.toContain(secret);
    } finally {
      await closeRedis(redis);
    }

    await kyc?.close();
    kyc = undefined;
    const breaker = gateway.upstreams.get('kyc');
    for (let i = 0; i < 6 && breaker?.state() !== 'open'; i += 1) {
      expect((await request(api('/review/queue'), { token })).status).toBe(503);
    }
    expect(breaker?.state()).toBe('open');
    const notStale = await request(api(`/applications/${draft.body.id}`), { token });
    expect([notStale.status, notStale.headers.get('warning')]).toEqual([503, null]);
    expect(notStale.text).not.toContain(NAME);
    const write = await request(api('/applications'), { token, body: {} });
    expect(write.status).toBe(503);
    expect(Number(write.headers.get('retry-after'))).toBeGreaterThan(0);

    kyc = await startKyc({ port: kycPort, metricsPort: 0, host: '127.0.0.1', logger: captureLogs('kyc', 'error').logger, env: kycEnv() });
    const back = await eventually(
      async () => {
        const res = await request(api(`/applications/${draft.body.id}`), { token });
        return res.status === 200 && res.headers.get('warning') === null ? res : undefined;
      },
      20_000,
      250,
    );
    expect(back.body).toMatchObject({ id: draft.body.id });
    expect(breaker?.state()).toBe('closed');
  }, 60_000);

  it('the gateway logs carry no PAN, Aadhaar or token', () => {
    const text = gatewayLogs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(PAN);
    expect(text).not.toContain(AADHAAR);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
