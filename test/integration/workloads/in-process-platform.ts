// The auth service and the gateway in-process in front of a kyc harness (kyc-support.ts), as the
// suites that go through the whole API start them: one Redis prefix, auth's cheap test scrypt cost, no
// rate limit. `admin` seeds the first admin; `webAppDir` starts the frontend serving a web app build, and
// the gateway forwards the app's paths to it; `env` adds settings to auth and the gateway (e.g.
// KYC_PLATFORM, the platform label of their metrics).
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startFrontend } from '../../../workloads/frontend/main.js';
import type { RunningFrontend } from '../../../workloads/frontend/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import type { KycHarness } from './kyc-support.js';
import { SIGNING_KEYS, captureLogs, requireEnv, suffix, verifierEnv } from './support.js';

export interface InProcessPlatform {
  auth: RunningAuth;
  gateway: RunningGateway;
  frontend: RunningFrontend | undefined;
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
  const frontend =
    options.webAppDir === undefined
      ? undefined
      : await startFrontend({ port: 0, host: '127.0.0.1', logger: captureLogs('frontend', 'error').logger, webAppDir: options.webAppDir });
  const upstreams = { UPSTREAM_AUTH: auth.url, UPSTREAM_KYC: h.kyc.url, ...(frontend && { UPSTREAM_FRONTEND: frontend.url }) };
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    logger: captureLogs('gateway', 'error').logger,
    env: { REDIS_KEY_PREFIX: redisPrefix, ...verifierEnv(), ...upstreams, RATE_LIMIT_REQUESTS: '0', ...options.env },
  });
  return {
    auth,
    gateway,
    frontend,
    async close() {
      await gateway.close();
      await frontend?.close();
      await auth.close();
    },
  };
}
