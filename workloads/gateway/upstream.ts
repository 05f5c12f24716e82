// One upstream service (e.g. kyc): its instances (the pods discovery.ts finds) behind a Balancer, a
// keep-alive agent, and an opossum circuit breaker. A refused connection is retried once on another instance (the request
// never reached the application, so this is safe for every method), and so is a connection cut under
// a GET, HEAD or OPTIONS (safe to repeat); an answer of 5xx, a timeout or
// an I/O error counts against the breaker. A 4xx is the client's doing and counts as a success, and
// so does an answer too large to buffer (the upstream is healthy; a client asking for it again and
// again must not open the breaker for everyone). Requests the gateway refuses itself (bad targets,
// deep JSON, oversized bodies, no token, rate limits) never get here. A refusal, a timeout or an
// I/O error also counts against the instance (the passive health check, balancer.ts) and makes
// discovery resolve again at once: a refusing pod is most often one that is going away. An upstream
// with no instance at all (every pod gone) fails with NoInstancesError before the breaker, which the
// gateway answers 503 + Retry-After; the breaker is for instances that answer badly, not for absent ones.
// Nor does a 503 that carries Retry-After count: that is a healthy service saying, quickly and on
// purpose, that it cannot do this now (its database is down, a feature is paused, a read-only mode);
// opening the breaker on it would refuse its other routes too and outlast the dependency's recovery.
// An https upstream is verified on every new connection (proxy.ts): the platform's bundle as it is now
// (a renewed bundle applies to the next connection), the name of the UPSTREAM_* URL; a handshake that
// fails is retried on another instance like a refusal, and counts against the instance and the breaker.
import http from 'node:http';
import https from 'node:https';
import CircuitBreaker from 'opossum';
import { Balancer } from './balancer.js';
import type { Instance, InstanceSpec, PickContext, Strategy } from './balancer.js';
import { Discovery } from './discovery.js';
import type { Resolve } from './discovery.js';
import { TEMPORARILY_UNAVAILABLE } from '../shared/problem.js';
import { REDUCED_FEATURES_HEADER } from '../shared/service-mode.js';
import type { PeerTrust } from '../shared/tls.js';
import { CONNECT_TIMEOUT_MS, UpstreamError, originOf, send } from './proxy.js';
import type { Origin, Outgoing, UpstreamResponse } from './proxy.js';

export interface BreakerSettings {
  timeoutMs: number;
  errorThresholdPercentage: number;
  resetTimeoutMs: number;
  volumeThreshold: number;
  rollingWindowMs: number;
}

export interface Routed {
  response: UpstreamResponse;
  instance: Instance;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Methods a request may be sent twice with (RFC 9110 safe methods). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class NoInstancesError extends Error {
  constructor(readonly upstream: string) {
    super(`no ready instance of ${upstream}`);
    this.name = 'NoInstancesError';
  }
}

export interface UpstreamOptions {
  strategy: Strategy;
  sticky: boolean;
  breaker: BreakerSettings;
  maxResponseBytes?: number;
  onAttempt?: (instance: Instance, outcome: string) => void;
  /** How names are resolved (tests give a fake); the system resolver by default. */
  resolve?: Resolve;
  discoveryIntervalMs?: number;
  /** The set of instances changed (discovery). */
  onInstances?: (change: { instances: string[]; added: string[]; removed: string[] }) => void;
  onDiscoveryError?: (hostname: string, error: unknown) => void;
  now?: () => number;
  /** The trust for https instances (KYC_TLS_DIR's bundle); without it, Node.js's default CAs. */
  trust?: PeerTrust;
}

export class Upstream {
  readonly balancer: Balancer;
  readonly breaker: CircuitBreaker<[Outgoing, PickContext], Routed>;
  readonly discovery: Discovery;
  /** Settles once the first resolution is done (requests wait for it, never for later ones). */
  readonly ready: Promise<void>;
  private readonly agent: http.Agent;
  private readonly tlsAgent: https.Agent;
  private readonly now: () => number;
  /** Until when the upstream counts as reduced after it said a dependency of it was down (isReduced). */
  private unavailableUntil = 0;
  /** What the upstream last said it serves reduced (REDUCED_FEATURES_HEADER), and until when that counts. */
  private reduced: { features: string[]; until: number } = { features: [], until: 0 };

  constructor(
    readonly name: string,
    specs: InstanceSpec[],
    options: UpstreamOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.balancer = new Balancer([], { strategy: options.strategy, sticky: options.sticky, ...(options.now && { now: options.now }) });
    this.discovery = new Discovery(
      specs.map((spec) => spec.url),
      {
        ...(options.resolve && { resolve: options.resolve }),
        ...(options.discoveryIntervalMs !== undefined && { intervalMs: options.discoveryIntervalMs }),
        ...(options.onDiscoveryError && { onError: options.onDiscoveryError }),
        ...(options.now && { now: options.now }),
        onChange: (urls) => {
          const { added, removed } = this.balancer.setInstances(urls);
          options.onInstances?.({ instances: urls, added, removed });
        },
      },
    );
    // Discovery swallows resolver errors (it keeps the last answer); nothing else of it can fail.
    this.ready = this.discovery.start().catch(() => undefined);
    const pooling = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' } as const;
    this.agent = new http.Agent(pooling);
    this.tlsAgent = new https.Agent(pooling);
    const trust = options.trust;
    /** Where the instance is, and over TLS, what it must prove: the bundle in force now, the target's name. */
    const originFor = (url: string): Origin => {
      const origin = originOf(url);
      if (!origin.tls) return origin;
      const ca = trust?.ca();
      const servername = this.discovery.nameOf(url);
      return { ...origin, tls: { ...(ca !== undefined && { ca }), ...(servername !== undefined && { servername }) } };
    };
    const timeoutMs = options.breaker.timeoutMs;
    const onAttempt = options.onAttempt ?? (() => undefined);
    const action = async (outgoing: Outgoing, context: PickContext): Promise<Routed> => {
      const tried = new Set<string>();
      // Made only when needed: an Error captures a stack trace, a cost every request would pay.
      let lastError: Error | undefined;
      const attempts = Math.min(2, this.balancer.instances.length);
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const instance = this.balancer.pick(context, tried);
        if (!instance) break;
        tried.add(instance.id);
        this.balancer.acquire(instance);
        try {
          // Host and port of the instance, from its address only (see proxy.ts).
          const origin = originFor(instance.url);
          // A little longer than the breaker's timeout: the breaker decides, this only frees the socket.
          // A connection slow to open is given up for another pod only when there is one left to try: the
          // last (or only) pod gets the whole budget, since on a busy node a healthy pod's connect can be slow.
          const lastTry = attempt === attempts - 1;
          const connectTimeoutMs = lastTry ? timeoutMs + 250 : CONNECT_TIMEOUT_MS;
          const agent = origin.tls ? this.tlsAgent : this.agent;
          const response = await send(origin, outgoing, agent, timeoutMs + 250, options.maxResponseBytes, connectTimeoutMs);
          this.balancer.markSuccess(instance);
          onAttempt(instance, response.status >= 500 ? '5xx' : 'ok');
          if (response.status >= 500) throw new UpstreamError(`${name} answered ${response.status}`, 'status', response);
          return { response, instance };
        } catch (error) {
          lastError = error as Error;
          if (error instanceof UpstreamError && (error.kind === 'connect' || error.kind === 'tls')) {
            this.balancer.markFailure(instance);
            this.discovery.suspect();
            onAttempt(instance, `${error.kind}-error`);
            continue;
          }
          // A connection cut under a GET, HEAD or OPTIONS (most often a kept-alive socket a draining pod
          // closed as the request went out) is retried elsewhere too: the method is safe to repeat.
          if (error instanceof UpstreamError && error.kind === 'io' && SAFE_METHODS.has(outgoing.method)) {
            this.balancer.markFailure(instance);
            this.discovery.suspect();
            onAttempt(instance, 'io');
            continue;
          }
          if (error instanceof UpstreamError && (error.kind === 'timeout' || error.kind === 'io')) {
            this.balancer.markFailure(instance);
            this.discovery.suspect();
          }
          if (error instanceof UpstreamError && error.kind !== 'status') onAttempt(instance, error.kind);
          throw error;
        } finally {
          this.balancer.release(instance);
        }
      }
      throw lastError ?? new NoInstancesError(name);
    };
    this.breaker = new CircuitBreaker(action, {
      name,
      timeout: timeoutMs,
      errorThresholdPercentage: options.breaker.errorThresholdPercentage,
      resetTimeout: options.breaker.resetTimeoutMs,
      volumeThreshold: options.breaker.volumeThreshold,
      rollingCountTimeout: options.breaker.rollingWindowMs,
      rollingCountBuckets: 10,
      errorFilter: (error: unknown) => error instanceof UpstreamError && (error.kind === 'too-large' || isDeliberateUnavailable(error)),
    });
  }

  async forward(outgoing: Outgoing, context: PickContext): Promise<Routed> {
    await this.ready;
    if (this.balancer.instances.length === 0) {
      this.discovery.suspect();
      throw new NoInstancesError(this.name);
    }
    try {
      const routed = await this.breaker.fire(outgoing, context);
      const header = routed.response.headers[REDUCED_FEATURES_HEADER.toLowerCase()];
      if (typeof header === 'string' && header !== '') {
        this.reduced = { features: header.split(',').map((f) => f.trim()), until: this.now() + REDUCED_MEMORY_MS };
      }
      return routed;
    } catch (error) {
      if (error instanceof UpstreamError && isDependencyUnavailable(error)) this.unavailableUntil = this.now() + REDUCED_MEMORY_MS;
      throw error;
    }
  }

  /**
   * Whether the upstream cannot serve now, as this gateway has seen it (for the public status): no pod,
   * its breaker open, or within the last 30 s it answered that a dependency of its own is down.
   */
  isReduced(): boolean {
    return this.balancer.instances.length === 0 || this.breaker.opened || this.now() < this.unavailableUntil;
  }

  /** The features the upstream said it serves reduced within the last 30 s (for the public status). */
  reducedFeatures(): readonly string[] {
    return this.now() < this.reduced.until ? this.reduced.features : [];
  }

  state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  close(): void {
    this.discovery.stop();
    this.breaker.shutdown();
    this.agent.destroy();
    this.tlsAgent.destroy();
  }
}

/** A 503 with Retry-After: the upstream answered, deliberately, that it is temporarily unavailable. */
function isDeliberateUnavailable(error: UpstreamError): boolean {
  return error.kind === 'status' && error.response?.status === 503 && error.response.headers['retry-after'] !== undefined;
}

/** How long one "a dependency of mine is down" answer keeps the upstream listed as reduced. */
export const REDUCED_MEMORY_MS = 30_000;

/** A 503 of type temporarily-unavailable: the upstream's database, cache or bus is down (not a flag or a mode). */
function isDependencyUnavailable(error: UpstreamError): boolean {
  if (!isDeliberateUnavailable(error) || !error.response) return false;
  try {
    const problem = JSON.parse(error.response.body.toString('utf8')) as { type?: unknown };
    return problem.type === TEMPORARILY_UNAVAILABLE;
  } catch {
    return false;
  }
}
