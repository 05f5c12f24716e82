// The reduced-functionality modes while the services run (docs/api.md, "Degradation"): the gateway and the
// real auth service read one live-settings file, written as the operator's ConfigMap would be, at their
// default interval (1 s). ReadOnly refuses every write with 503 + Retry-After and serves reads; Maintenance
// refuses everything but the public status; every answer under a reduced mode says so; back to Normal,
// everything is served again — no restart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { FakeUpstream } from './fake-upstream.js';
import {
  SIGNING_KEYS,
  captureLogs,
  createTestDatabase,
  eventually,
  liveSettingsFile,
  request,
  requireEnv,
  signToken,
  suffix,
  verifierEnv,
} from './support.js';
import type { LiveSettingsFile, TestDatabase } from './support.js';

const VERSION = '2.0.0-test';

interface Status {
  mode: string;
  reducedFeatures: string[];
  version: string;
}

describe('degradation modes', () => {
  let live: LiveSettingsFile;
  let db: TestDatabase;
  let auth: RunningAuth;
  let gateway: RunningGateway;
  const kyc = new FakeUpstream('k1');
  let token: string;

  const setSettings = (settings: { mode?: string; featureFlags?: Record<string, boolean> }) =>
    live.write({ featureFlags: {}, ...settings });
  const api = (p: string): string => `${gateway.url}/api/v1${p}`;
  const status = async (): Promise<Status> => (await request<Status>(api('/status'))).body;
  /** Writes the settings and waits until the gateway's public status says the mode; returns how long it took. */
  async function switchTo(mode: string, featureFlags: Record<string, boolean> = {}): Promise<number> {
    const started = Date.now();
    await setSettings({ mode, featureFlags });
    await eventually(async () => ((await status()).mode === mode ? true : undefined), 10_000, 50);
    return Date.now() - started;
  }

  beforeAll(async () => {
    live = await liveSettingsFile('kyc-mode-');
    await setSettings({});
    db = await createTestDatabase();
    await kyc.start();
    auth = await startAuth({
      port: 0,
      logger: captureLogs('auth', 'warn').logger,
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: requireEnv('REDIS_URL'),
        REDIS_KEY_PREFIX: `test-${suffix()}:`,
        AUTH_SIGNING_KEYS: SIGNING_KEYS,
        AUTH_SCRYPT_COST: '1024',
        LIVE_SETTINGS_FILE: live.path,
      },
    });
    gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'warn').logger,
      env: {
        REDIS_KEY_PREFIX: `test-${suffix()}:`,
        ...verifierEnv(),
        KYC_VERSION: VERSION,
        UPSTREAM_AUTH: auth.url,
        UPSTREAM_KYC: kyc.url,
        LIVE_SETTINGS_FILE: live.path,
      },
    });
    token = await signToken({ sub: `mode-${suffix()}`, role: 'customer' });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await auth?.close();
    await kyc.stop();
    await db?.drop();
    await live?.remove();
  }, 60_000);

  it('when Normal, then the public status says so without a token, and answers carry no mode header', async () => {
    const res = await request<Status>(api('/status'));
    expect([res.status, res.body, res.headers.get('kyc-service-mode')]).toEqual([
      200,
      { mode: 'Normal', reducedFeatures: [], version: VERSION },
      null,
    ]);
    const write = await request(api('/applications'), { token, body: { consent: true } });
    expect([write.status, write.headers.get('kyc-service-mode')]).toEqual([200, null]);
  });

  it('when ReadOnly is written, then within seconds every write answers 503 + Retry-After (gateway and auth alike), reads are served, and every answer says ReadOnly', async () => {
    const tookMs = await switchTo('ReadOnly', { 'document-upload': false });
    expect(tookMs).toBeLessThan(3_000);
    const hits = kyc.hits;

    const refused = await request<{ type: string; status: number; mode: string }>(api('/applications'), { token, body: { consent: true } });
    expect([
      refused.status,
      refused.headers.get('retry-after'),
      refused.headers.get('kyc-service-mode'),
      refused.headers.get('content-type'),
    ]).toEqual([503, '60', 'ReadOnly', expect.stringMatching(/application\/problem\+json/)]);
    expect(refused.body).toMatchObject({ type: 'https://kyc.dev/problems/read-only-mode', status: 503, mode: 'ReadOnly' });
    expect(kyc.hits).toBe(hits); // refused at the gateway: the upstream saw nothing

    const read = await request(api('/applications/abc'), { token });
    expect([read.status, read.headers.get('kyc-service-mode')]).toEqual([200, 'ReadOnly']);
    // auth follows the same file by itself (the shared pipeline), asked directly: a sign-up is refused,
    // signing in stays open (a session, not a record) and answers as it would (401 for a wrong password)
    await eventually(
      async () =>
        (await request(`${auth.url}/api/v1/auth/register`, { body: { email: 'b@example.com', password: 'x' } })).status === 503
          ? true
          : undefined,
      5_000,
      50,
    );
    const login = await request(`${auth.url}/api/v1/auth/login`, { body: { email: 'a@example.com', password: 'wrong-password-1' } });
    expect([login.status, login.headers.get('kyc-service-mode')]).toEqual([401, 'ReadOnly']);
    expect(await status()).toEqual({ mode: 'ReadOnly', reducedFeatures: ['writes', 'document-upload'], version: VERSION });
  });

  it('when Maintenance is written, then every API request answers 503 + Retry-After except the status; the probes still answer', async () => {
    await switchTo('Maintenance');
    const read = await request<{ type: string }>(api('/applications/abc'), { token });
    expect([read.status, read.headers.get('retry-after'), read.headers.get('kyc-service-mode'), read.body.type]).toEqual([
      503,
      '60',
      'Maintenance',
      'https://kyc.dev/problems/maintenance',
    ]);
    const statusAnswer = await request<Status>(api('/status'));
    expect([statusAnswer.status, statusAnswer.headers.get('kyc-service-mode'), statusAnswer.body.reducedFeatures]).toEqual([
      200,
      'Maintenance',
      ['api'],
    ]);
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
    expect((await fetch(`${auth.url}/livez`)).status).toBe(200);
  });

  it('when Normal is written again, then writes are served and the header is gone', async () => {
    await switchTo('Normal');
    const write = await request(api('/applications'), { token, body: { consent: true } });
    expect([write.status, write.headers.get('kyc-service-mode')]).toEqual([200, null]);
    await eventually(
      async () =>
        (await request(`${auth.url}/api/v1/auth/login`, { body: { email: 'a@example.com', password: 'wrong-password-1' } })).status === 401
          ? true
          : undefined,
      5_000,
      50,
    );
  });
});
