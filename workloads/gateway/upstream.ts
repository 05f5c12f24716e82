// One upstream service (e.g. kyc): its instances behind a Balancer, a keep-alive agent, and an
// opossum circuit breaker. A refused connection is retried once on another instance (the request
// never reached the application, so this is safe for every method); an answer of 5xx, a timeout or
// an I/O error counts against the breaker. A 4xx is the client's doing and counts as a success, and
// so does an answer too large to buffer (the upstream is healthy; a client asking for it again and
// again must not open the breaker for everyone). Requests the gateway refuses itself (bad targets,
// deep JSON, oversized bodies, no token, rate limits) never get here.
import http from 'node:http';
import CircuitBreaker from 'opossum';
import { Balancer } from './balancer.js';
import type { Instance, InstanceSpec, PickContext, Strategy } from './balancer.js';
import { UpstreamError, originOf, send } from './proxy.js';
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

export class Upstream {
  readonly balancer: Balancer;
  readonly breaker: CircuitBreaker<[Outgoing, PickContext], Routed>;
  private readonly agent: http.Agent;

  constructor(
    readonly name: string,
    specs: InstanceSpec[],
    options: { strategy: Strategy; sticky: boolean; breaker: BreakerSettings; maxResponseBytes?: number; onAttempt?: (instance: Instance, outcome: string) => void },
  ) {
    this.balancer = new Balancer(specs, { strategy: options.strategy, sticky: options.sticky });
    // Host and port of each instance, from the configuration only (see proxy.ts).
    const origins = new Map<string, Origin>(this.balancer.instances.map((instance) => [instance.id, originOf(instance.url)]));
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
    const timeoutMs = options.breaker.timeoutMs;
    const onAttempt = options.onAttempt ?? (() => undefined);
    const action = async (outgoing: Outgoing, context: PickContext): Promise<Routed> => {
      const tried = new Set<string>();
      let lastError: unknown;
      const attempts = Math.min(2, this.balancer.instances.length);
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const instance = this.balancer.pick(context, tried);
        tried.add(instance.id);
        this.balancer.acquire(instance);
        try {
          // A little longer than the breaker's timeout: the breaker decides, this only frees the socket.
          const response = await send(origins.get(instance.id) as Origin, outgoing, this.agent, timeoutMs + 250, options.maxResponseBytes);
          this.balancer.markSuccess(instance);
          onAttempt(instance, response.status >= 500 ? '5xx' : 'ok');
          if (response.status >= 500) throw new UpstreamError(`${name} answered ${response.status}`, 'status', response);
          return { response, instance };
        } catch (error) {
          lastError = error;
          if (error instanceof UpstreamError && error.kind === 'connect') {
            this.balancer.markFailure(instance);
            onAttempt(instance, 'connect-error');
            continue;
          }
          if (error instanceof UpstreamError && error.kind !== 'status') onAttempt(instance, error.kind);
          throw error;
        } finally {
          this.balancer.release(instance);
        }
      }
      throw lastError;
    };
    this.breaker = new CircuitBreaker(action, {
      name,
      timeout: timeoutMs,
      errorThresholdPercentage: options.breaker.errorThresholdPercentage,
      resetTimeout: options.breaker.resetTimeoutMs,
      volumeThreshold: options.breaker.volumeThreshold,
      rollingCountTimeout: options.breaker.rollingWindowMs,
      rollingCountBuckets: 10,
      errorFilter: (error: unknown) => error instanceof UpstreamError && error.kind === 'too-large',
    });
  }

  forward(outgoing: Outgoing, context: PickContext): Promise<Routed> {
    return this.breaker.fire(outgoing, context);
  }

  state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  close(): void {
    this.breaker.shutdown();
    this.agent.destroy();
  }
}
