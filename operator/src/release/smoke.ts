// The smoke check: HTTP GETs against the preview Services before the switch. The checker is an
// interface (the KWOK suites, where pods run nothing, give a fake one); rounds run in the background so
// that a slow preview never holds the work queue: the reconciler starts a round, returns with a short
// requeue, and picks the result up on a later pass.
import http from 'node:http';
import https from 'node:https';
import type { ComponentName } from '../api/components.js';
import { HTTP_PORT } from '../render/meta.js';
import type { SmokeResult } from './model.js';

export interface SmokeRequest {
  namespace: string;
  platform: string;
  components: readonly ComponentName[];
  /** The version the preview should answer with (X-KYC-Version). */
  version: string;
  /** Path requested on each preview Service (2xx wanted). */
  path: string;
  /** Path read through the preview gateway (an answer below 500 wanted: an upstream answered). */
  gatewayPath: string;
  timeoutMs: number;
  /** tls BuiltIn: the preview Services speak HTTPS only (docs/security.md, "TLS between the components"). */
  tls?: boolean;
}

export type SmokeChecker = (request: SmokeRequest) => Promise<SmokeResult>;

/** Base URL of a Service from where the operator runs: cluster DNS by default. */
export type ServiceUrl = (namespace: string, service: string, https: boolean) => string;
export const clusterServiceUrl: ServiceUrl = (namespace, service, https) =>
  `${https ? 'https' : 'http'}://${service}.${namespace}.svc:${HTTP_PORT}`;

/** The platform's trust bundle (ca.crt of `<platform>-tls-ca`), for the checks over HTTPS. */
export type TrustBundle = (namespace: string, platform: string) => Promise<string | undefined>;

/** How an HTTPS check trusts the preview: the platform bundle, and the Service's own name (in its certificate's SANs). */
interface CheckTls {
  ca: string;
  servername: string;
}

/**
 * One GET on a new connection. Never a pooled keep-alive connection: a Service's ClusterIP connection is
 * pinned (conntrack) to the pod it reached first, so a connection kept from the previous release's round
 * would reach the colour that is active now, not the preview.
 */
function get(url: string, timeoutMs: number, tls?: CheckTls): Promise<{ status: number; version: string | null }> {
  return new Promise((resolve, reject) => {
    const options = { agent: false as const, headers: { connection: 'close' }, timeout: timeoutMs };
    const onResponse = (res: http.IncomingMessage): void => {
      res.resume();
      res.on('end', () => {
        const version = res.headers['x-kyc-version'];
        resolve({ status: res.statusCode ?? 0, version: typeof version === 'string' ? version : null });
      });
      res.on('error', reject);
    };
    const req = url.startsWith('https:')
      ? https.get(url, { ...options, ca: tls?.ca, servername: tls?.servername, minVersion: 'TLSv1.3' }, onResponse)
      : http.get(url, options, onResponse);
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    req.on('error', reject);
  });
}

/**
 * How long, within a round, a check that did not reach a pod of the preview is tried again. Right after
 * the preview Deployments are Available, a preview Service's ClusterIP may not route to their pods yet:
 * kube-proxy programs a Service's new endpoints at most once per minSyncPeriod (1 s on the local real
 * node) after its EndpointSlice changed; until then a connection is refused (no endpoint yet) or, in a
 * restarted release, may reach a pod of the version before. Failing the round on that cost every release
 * the 3 s retry delay (docs/benchmarks.md). An answer from a preview pod (a status, a timeout) is the
 * verdict at once.
 */
export const ROUTING_SETTLE_MS = 2_000;
const ROUTING_RETRY_MS = 100;
/** Connection failures that mean "no pod behind the ClusterIP yet", not "the pod is broken". */
const NOT_ROUTED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

interface CheckOutcome {
  /** Undefined when the check passed. */
  failure: string | undefined;
  /** The request did not reach a preview pod (yet): worth trying again within the settle time. */
  notRouted: boolean;
}

/** The HTTP checker: `path` on every preview Service, then `gatewayPath` through the preview gateway. */
export function httpSmokeChecker(
  serviceUrl: ServiceUrl = clusterServiceUrl,
  options: { routingSettleMs?: number; trust?: TrustBundle } = {},
): SmokeChecker {
  const settleMs = options.routingSettleMs ?? ROUTING_SETTLE_MS;
  return async (request) => {
    const settledBy = performance.now() + settleMs;
    const https = request.tls ?? false;
    const ca = https ? await options.trust?.(request.namespace, request.platform) : undefined;
    const tlsFor = (service: string): CheckTls | undefined => (ca ? { ca, servername: `${service}.${request.namespace}.svc` } : undefined);
    const preview = (component: ComponentName): string => `${request.platform}-${component}-preview`;
    const checks = request.components.map((component) => ({
      what: `${component} ${request.path}`,
      url: `${serviceUrl(request.namespace, preview(component), https)}${request.path}`,
      tls: tlsFor(preview(component)),
      ok: (status: number) => status >= 200 && status < 300,
    }));
    if (request.components.includes('gateway')) {
      checks.push({
        what: `gateway ${request.gatewayPath}`,
        url: `${serviceUrl(request.namespace, preview('gateway'), https)}${request.gatewayPath}`,
        tls: tlsFor(preview('gateway')),
        ok: (status: number) => status < 500,
      });
    }
    const attempt = async (check: (typeof checks)[number]): Promise<CheckOutcome> => {
      try {
        const { status, version } = await get(check.url, request.timeoutMs, check.tls);
        // Pods of another release behind the preview name (kube-proxy not yet updated) must not pass.
        if (version !== null && version !== request.version)
          return { failure: `${check.what}: version ${version}, not ${request.version}`, notRouted: true };
        return { failure: check.ok(status) ? undefined : `${check.what}: HTTP ${status}`, notRouted: false };
      } catch (error) {
        const e = error as Error & { code?: string };
        const failure = `${check.what}: ${e.name === 'TimeoutError' ? 'timeout' : (e.code ?? e.message)}`;
        return { failure, notRouted: e.code !== undefined && NOT_ROUTED_CODES.has(e.code) };
      }
    };
    const failures = await Promise.all(
      checks.map(async (check) => {
        for (;;) {
          const { failure, notRouted } = await attempt(check);
          if (failure === undefined || !notRouted || performance.now() + ROUTING_RETRY_MS > settledBy) return failure;
          await new Promise((resolve) => setTimeout(resolve, ROUTING_RETRY_MS));
        }
      }),
    );
    const failed = failures.filter((f): f is string => f !== undefined);
    return failed.length === 0
      ? {
          ok: true,
          version: request.version,
          message: `${checks.length} checks passed against the preview Services at version ${request.version}`,
        }
      : { ok: false, version: request.version, message: failed.join('; ').slice(0, 1000) };
  };
}

/** Rounds in the background, one at a time per platform; a finished result is handed out once. */
export class SmokeRunner {
  private readonly rounds = new Map<string, { version: string; result?: SmokeResult }>();

  constructor(private readonly checker: SmokeChecker) {}

  /** The finished round for `version`, removed from the runner (undefined while none finished). */
  take(key: string, version: string): SmokeResult | undefined {
    const round = this.rounds.get(key);
    if (!round?.result || round.version !== version) return undefined;
    this.rounds.delete(key);
    return round.result;
  }

  /** Starts a round (after `delayMs`) unless one for this version is pending, running or waiting to be taken. */
  start(key: string, request: SmokeRequest, onDone?: () => void, delayMs = 0): void {
    const round = this.rounds.get(key);
    if (round && round.version === request.version) return;
    const entry: { version: string; result?: SmokeResult } = { version: request.version };
    this.rounds.set(key, entry);
    const settle = (result: SmokeResult): void => {
      if (this.rounds.get(key) !== entry) return;
      entry.result = result;
      onDone?.();
    };
    const run = (): void => {
      if (this.rounds.get(key) !== entry) return;
      this.checker(request).then(settle, (error: unknown) =>
        settle({ ok: false, version: request.version, message: `smoke check failed to run: ${(error as Error).message}` }),
      );
    };
    if (delayMs <= 0) run();
    else setTimeout(run, delayMs).unref();
  }

  forget(key: string): void {
    this.rounds.delete(key);
  }
}
