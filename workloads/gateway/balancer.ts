// Load balancing across the instances of one upstream — pure, no I/O, clock injected. The strategies
// `LB_STRATEGY` offers (docs/workloads.md): round robin, least connections, IP hash, weighted (smooth
// weighted round robin, as nginx does it), plus sticky sessions on top of any of them. Instances that
// refuse connections are passively taken out for a while (nginx's max_fails/fail_timeout).
import { createHash } from 'node:crypto';

export const STRATEGIES = ['round-robin', 'least-connections', 'ip-hash', 'weighted'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface InstanceSpec {
  url: string;
  weight: number;
}

export interface Instance extends InstanceSpec {
  /** Stable short id (sticky cookies carry it; it does not reveal the address). */
  id: string;
  active: number;
  failures: number;
  downUntil: number;
  currentWeight: number;
}

export interface PickContext {
  clientIp: string;
  /** Instance id from the sticky cookie, if any. */
  affinity?: string;
}

export interface BalancerOptions {
  strategy: Strategy;
  sticky?: boolean;
  maxFails?: number;
  failTimeoutMs?: number;
  now?: () => number;
}

/** Parses `http://a:1,http://b:2;weight=3` (UPSTREAM_* variables). */
export function parseUpstreams(value: string): InstanceSpec[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [url = '', ...params] = entry.split(';').map((part) => part.trim());
      let weight = 1;
      for (const param of params) {
        const match = /^weight=(\d{1,4})$/.exec(param);
        if (!match) throw new Error(`unknown upstream parameter "${param}" (expected weight=N)`);
        weight = Number(match[1]);
        if (weight < 1) throw new Error('an upstream weight must be at least 1');
      }
      const parsed = new URL(url);
      // Plain http inside the cluster (the gateway speaks http to its upstreams; TLS ends at the Ingress).
      if (parsed.protocol !== 'http:') throw new Error(`upstream ${url} is not an http URL`);
      if (parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '' || parsed.password !== '') throw new Error(`upstream ${url} must be scheme://host:port only`);
      return { url: parsed.origin, weight };
    });
}

/** FNV-1a 32-bit: fast, stable across processes and restarts. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export class Balancer {
  readonly instances: Instance[];
  private cursor = 0;
  private readonly now: () => number;
  private readonly maxFails: number;
  private readonly failTimeoutMs: number;

  constructor(
    specs: InstanceSpec[],
    readonly options: BalancerOptions,
  ) {
    if (specs.length === 0) throw new Error('an upstream needs at least one instance');
    this.instances = specs.map((spec) => ({
      ...spec,
      id: createHash('sha256').update(spec.url).digest('base64url').slice(0, 10),
      active: 0,
      failures: 0,
      downUntil: 0,
      currentWeight: 0,
    }));
    this.now = options.now ?? Date.now;
    this.maxFails = options.maxFails ?? 1;
    this.failTimeoutMs = options.failTimeoutMs ?? 5000;
  }

  /** Instances not marked down; all of them when every one is down (better to try than to refuse). */
  private candidates(exclude?: ReadonlySet<string>): Instance[] {
    const now = this.now();
    const usable = this.instances.filter((i) => i.downUntil <= now && !exclude?.has(i.id));
    if (usable.length > 0) return usable;
    const notExcluded = this.instances.filter((i) => !exclude?.has(i.id));
    return notExcluded.length > 0 ? notExcluded : this.instances;
  }

  pick(context: PickContext, exclude?: ReadonlySet<string>): Instance {
    const candidates = this.candidates(exclude);
    if (this.options.sticky && context.affinity !== undefined) {
      const pinned = candidates.find((i) => i.id === context.affinity);
      if (pinned) return pinned;
    }
    switch (this.options.strategy) {
      case 'round-robin':
        return this.roundRobin(candidates);
      case 'least-connections':
        return this.leastConnections(candidates);
      case 'ip-hash':
        return this.ipHash(candidates, context.clientIp);
      case 'weighted':
        return this.weighted(candidates);
    }
  }

  private roundRobin(candidates: Instance[]): Instance {
    const chosen = candidates[this.cursor % candidates.length] as Instance;
    this.cursor = (this.cursor + 1) % 1_000_000_007;
    return chosen;
  }

  private leastConnections(candidates: Instance[]): Instance {
    const fewest = Math.min(...candidates.map((i) => i.active));
    // Ties go round robin, so idle instances share the load instead of the first taking it all.
    return this.roundRobin(candidates.filter((i) => i.active === fewest));
  }

  private ipHash(candidates: Instance[], clientIp: string): Instance {
    // Hash over the full list so a client keeps its instance; fall back inside the candidates only
    // when that instance is down.
    const home = this.instances[fnv1a(clientIp) % this.instances.length] as Instance;
    if (candidates.includes(home)) return home;
    return candidates[fnv1a(clientIp) % candidates.length] as Instance;
  }

  private weighted(candidates: Instance[]): Instance {
    let total = 0;
    let best: Instance | undefined;
    for (const instance of candidates) {
      instance.currentWeight += instance.weight;
      total += instance.weight;
      if (!best || instance.currentWeight > best.currentWeight) best = instance;
    }
    const chosen = best as Instance;
    chosen.currentWeight -= total;
    return chosen;
  }

  acquire(instance: Instance): void {
    instance.active += 1;
  }

  release(instance: Instance): void {
    instance.active = Math.max(0, instance.active - 1);
  }

  markSuccess(instance: Instance): void {
    instance.failures = 0;
    instance.downUntil = 0;
  }

  /** A connection-level failure; after maxFails the instance sits out failTimeoutMs. */
  markFailure(instance: Instance): void {
    instance.failures += 1;
    if (instance.failures >= this.maxFails) instance.downUntil = this.now() + this.failTimeoutMs;
  }

  byId(id: string): Instance | undefined {
    return this.instances.find((i) => i.id === id);
  }
}
