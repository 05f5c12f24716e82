// The auth service and the gateway in-process in front of a kyc harness (kyc-support.ts), as the
// suites that go through the whole API start them: one Redis prefix, auth's cheap test scrypt cost, no
// rate limit. `admin` seeds the first admin; `webAppDir` makes the gateway serve a web app build; `env`
// adds settings to both (e.g. KYC_PLATFORM, the platform label of their metrics).
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import type { KycHarness } from './kyc-support.js';
import { SIGNING_KEYS, captureLogs, requireEnv, suffix, verifierEnv } from './support.js';

export interface InProcessPlatform {
  auth: RunningAuth;
  gateway: RunningGateway;
  close(): Promise<void>;
}

export async function startAuthAndGateway(
  h: KycHarness,
  options: { admin?: { email: string; password: string }; webAppDir?: string; env?: Record<string, string> } = {},
): Promise<InProcessPlatform> {
  const redisPrefix = `test-${suffix()}:`;
  const auth = await startAuth({
    port: 0,
    host: '127.0.0.1',
    logger: captureLogs('auth', 'error').logger,
    env: {
      DATABASE_URL: h.db.url,
      REDIS_URL: requireEnv('REDIS_URL'),
      REDIS_KEY_PREFIX: redisPrefix,
      AUTH_SIGNING_KEYS: SIGNING_KEYS,
      AUTH_SCRYPT_COST: '1024',
      ...(options.admin && { ADMIN_EMAIL: options.admin.email, ADMIN_PASSWORD: options.admin.password }),
      ...options.env,
    },
  });
  const upstreams = { UPSTREAM_AUTH: auth.url, UPSTREAM_KYC: h.kyc.url };
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    logger: captureLogs('gateway', 'error').logger,
    ...(options.webAppDir !== undefined && { webAppDir: options.webAppDir }),
    env: { REDIS_KEY_PREFIX: redisPrefix, ...verifierEnv(), ...upstreams, RATE_LIMIT_REQUESTS: '0', ...options.env },
  });
  return {
    auth,
    gateway,
    async close() {
      await gateway.close();
      await auth.close();
    },
  };
}
