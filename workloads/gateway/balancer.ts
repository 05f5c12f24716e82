// Load balancing across the instances (pods) of one upstream — pure, no I/O, clock injected. The
// strategies `LB_STRATEGY` offers (docs/workloads.md, "Load balancing"): round robin, least
// connections, IP hash, plus sticky sessions on top of any of them. The set of instances changes
// while the gateway runs (discovery.ts finds the pods of each upstream): an instance that stays keeps
// its counters, a new one starts fresh, a gone one is dropped (requests in flight on it finish).
// Passive health check (docs/workloads.md): an instance with 3 consecutive failures sits out 30 s.
// The policy (strategy, sticky) changes while the gateway runs too (spec.loadBalancing reaches it through the
// live settings, live-balancing.ts): `configure` swaps it in one assignment and keeps the instances, so the
// requests in flight release the counters they took, and a sticky cookie still names a known instance.
import { createHash } from 'node:crypto';

/** `weighted` is gone: weights per upstream meant nothing among the pods of one upstream (docs/api.md). */
export const STRATEGIES = ['round-robin', 'least-connections', 'ip-hash'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Consecutive failures that eject an instance, and for how long (the passive health check). */
export const PASSIVE_HEALTH = { maxFails: 3, ejectMs: 30_000 } as const;

/** A configured target: an instance address, or a DNS name whose addresses are the instances. */
export interface InstanceSpec {
  url: string;
}

export interface Instance {
  /** `http://<address>:<port>` (or https) of one instance. */
  url: string;
  /** Stable short id (sticky cookies carry it; it does not reveal the address). */
  id: string;
  active: number;
  failures: number;
  downUntil: number;
}

export interface PickContext {
  clientIp: string;
  /** Instance id from the sticky cookie, if any. */
  affinity?: string;
}

/** What spec.loadBalancing sets: the strategy, and sticky sessions on top of it. */
export interface BalancingPolicy {
  readonly strategy: Strategy;
  readonly sticky: boolean;
}

export interface BalancerOptions {
  strategy: Strategy;
  sticky?: boolean;
  maxFails?: number;
  failTimeoutMs?: number;
  now?: () => number;
}

/** Parses `https://kyc-pods:8080,http://a:1` (UPSTREAM_* variables). */
export function parseUpstreams(value: string): InstanceSpec[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((url) => {
      if (url.includes(';'))
        throw new Error(`upstream ${url}: parameters are not accepted (weight=N is gone; the gateway balances over the pods it discovers)`);
      const parsed = new URL(url);
      // https when the platform's components speak TLS to each other (docs/workloads.md, "TLS between the components").
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`upstream ${url} is not an http or https URL`);
      if (parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '' || parsed.password !== '')
        throw new Error(`upstream ${url} must be scheme://host:port only`);
      return { url: parsed.origin };
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

export function instanceId(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 10);
}

export class Balancer {
  private list: Instance[] = [];
  private cursor = 0;
  private current: BalancingPolicy;
  private readonly now: () => number;
  private readonly maxFails: number;
  private readonly failTimeoutMs: number;

  constructor(urls: readonly string[], options: BalancerOptions) {
    this.current = Object.freeze({ strategy: options.strategy, sticky: options.sticky ?? false });
    this.now = options.now ?? Date.now;
    this.maxFails = options.maxFails ?? PASSIVE_HEALTH.maxFails;
    this.failTimeoutMs = options.failTimeoutMs ?? PASSIVE_HEALTH.ejectMs;
    this.setInstances(urls);
  }

  /** The strategy and stickiness in force. */
  get policy(): BalancingPolicy {
    return this.current;
  }

  /** Replaces the policy; the instances, their counters and ejections stay (the next pick uses the new one). */
  configure(policy: BalancingPolicy): void {
    this.current = Object.freeze({ strategy: policy.strategy, sticky: policy.sticky });
  }

  /** The instances now, sorted by URL (DNS answers come shuffled; every gateway sees one order). */
  get instances(): readonly Instance[] {
    return this.list;
  }

  /** Replaces the set of instances; those that stay keep their connections, failures and ejection. */
  setInstances(urls: readonly string[]): { added: string[]; removed: string[] } {
    const wanted = [...new Set(urls)].sort();
    const previous = new Map(this.list.map((i) => [i.url, i]));
    const added = wanted.filter((url) => !previous.has(url));
    const removed = this.list.filter((i) => !wanted.includes(i.url)).map((i) => i.url);
    this.list = wanted.map((url) => previous.get(url) ?? { url, id: instanceId(url), active: 0, failures: 0, downUntil: 0 });
    return { added, removed };
  }

  /** Instances not ejected; all of them when every one is ejected (better to try than to refuse). */
  private candidates(exclude?: ReadonlySet<string>): Instance[] {
    const now = this.now();
    const notExcluded = this.list.filter((i) => !exclude?.has(i.id));
    const usable = notExcluded.filter((i) => i.downUntil <= now);
    if (usable.length > 0) return usable;
    return notExcluded.length > 0 ? notExcluded : this.list;
  }

  /** undefined only when the upstream has no instance at all (every pod gone). */
  pick(context: PickContext, exclude?: ReadonlySet<string>): Instance | undefined {
    const candidates = this.candidates(exclude);
    if (candidates.length === 0) return undefined;
    const { strategy, sticky } = this.current;
    if (sticky && context.affinity !== undefined) {
      const pinned = candidates.find((i) => i.id === context.affinity);
      if (pinned) return pinned;
    }
    switch (strategy) {
      case 'round-robin':
        return this.roundRobin(candidates);
      case 'least-connections':
        return this.leastConnections(candidates);
      case 'ip-hash':
        return this.ipHash(candidates, context.clientIp);
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

  /**
   * Rendezvous hashing: the client goes to the instance with the highest hash of (client, instance).
   * When pods come and go only the clients of those pods move (a modulo over the list would move
   * nearly everyone at each scale-out), and an ejected home falls back to the next best.
   */
  private ipHash(candidates: Instance[], clientIp: string): Instance {
    let best = candidates[0] as Instance;
    let bestScore = -1;
    for (const instance of candidates) {
      const score = fnv1a(`${clientIp}|${instance.id}`);
      if (score > bestScore) {
        best = instance;
        bestScore = score;
      }
    }
    return best;
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

  /** A failure talking to the instance; the maxFails-th in a row ejects it for failTimeoutMs. */
  markFailure(instance: Instance): void {
    instance.failures += 1;
    if (instance.failures >= this.maxFails) {
      instance.downUntil = this.now() + this.failTimeoutMs;
      // Back in rotation it needs maxFails failures in a row again to be ejected again.
      instance.failures = 0;
    }
  }

  isEjected(instance: Instance): boolean {
    return instance.downUntil > this.now();
  }

  byId(id: string): Instance | undefined {
    return this.list.find((i) => i.id === id);
  }
}
