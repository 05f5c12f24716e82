// The gateway's start-up readiness: a new gateway pod answers /ready 200 only once it has found at least
// one pod of every upstream (or after a bounded wait). Without it a blue-green preview gateway could be
// Ready, and be switched to, while its DNS discovery had not yet seen the preview auth pods: every
// request to that upstream would be answered 503 "no ready instance" for up to a resolve interval
// (the rollout suite caught exactly this). The gate closes once and stays open: after start-up an
// upstream that loses every pod costs its own routes a 503, never the whole gateway its readiness
// (docs/workloads.md, "Load balancing").

export interface WarmupUpstream {
  /** Pods known now. */
  instanceCount(): number;
  /** Ask discovery to resolve again soon (rate-limited by discovery itself). */
  lookAgain(): void;
}

export interface WarmupOptions {
  /** How long start-up waits for an upstream with no pod before the gateway is ready without it. */
  maxWaitMs: number;
  now?: () => number;
  /** Called once, when the gate opens: `missing` names the upstreams still without a pod (after maxWaitMs). */
  onOpen?: (missing: string[], waitedMs: number) => void;
}

export class UpstreamWarmup {
  private open = false;
  private readonly startedAt: number;
  private readonly now: () => number;

  constructor(
    private readonly upstreams: ReadonlyMap<string, WarmupUpstream>,
    private readonly options: WarmupOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  /** Whether start-up is over: every upstream has had a pod, or the wait ran out. Asked by /ready. */
  done(): boolean {
    if (this.open) return true;
    const missing = [...this.upstreams].filter(([, upstream]) => upstream.instanceCount() === 0).map(([name]) => name);
    const waited = this.now() - this.startedAt;
    if (missing.length > 0 && waited < this.options.maxWaitMs) {
      for (const name of missing) this.upstreams.get(name)?.lookAgain();
      return false;
    }
    this.open = true;
    this.options.onOpen?.(missing, waited);
    return true;
  }
}
