// Reading the detailed /health of a platform's pods (metrics port, docs/workload-contract.md), so the
// Degraded condition can name a dependency that is down (degradation.ts). Bounded on purpose: at most one
// round per platform every intervalMs (a pass in between reuses the last verdict), at most roundsPerSecond
// rounds a second over all platforms (a fleet's rounds spread out instead: 15 s up to 150 platforms,
// 100 s at 1,000, docs/operator.md "How it works"), every request with a
// short timeout, at most `concurrency` at once, at most `maxPods` per round, and the whole round within
// `roundBudgetMs` (pods not asked by then are left out), so a pass waits on it at most that long. Reading health must never
// fail a pass: a pod list that fails gives "nothing observed", a pod that does not answer is left out.
import { COMPONENTS, type ComponentName } from '../api/components.js';
import { tlsEnabled } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { getPodText, type PodTls } from '../scaling/sources/pod-scrape.js';
import type { PlatformTrust } from './certificates.js';
import { METRICS_PORT, platformPodSelector } from '../render/meta.js';
import type { KubeClient, KubeResource } from '../runtime/kube.js';
import { POD } from './resources.js';
import type { PodHealth } from './degradation.js';

type PodResource = KubeResource & { status?: { phase?: string; podIP?: string } };

/** What the reconciler asks once per pass (the injected seam of its tests). */
export interface HealthReader {
  /** The pods' health, or undefined when no round was due (or the pods could not be listed). */
  observe(key: string, platform: KycPlatform): Promise<PodHealth[] | undefined>;
  /**
   * How long until the platform's next round is due: a Ready platform is looked at again then. Counted from
   * its last round, not from this pass: a pass in between (a pod's event) must not push the round a whole
   * interval further, or a fault shorter than two intervals could fall between rounds unseen.
   */
  nextRoundInMs(key: string): number;
  forget(key: string): void;
}

export interface PodHealthOptions {
  /** The shortest time between two rounds of one platform (default 15 s). */
  intervalMs?: number;
  /**
   * Rounds a second over all platforms (default 10): each is a pod list on the API server and a request
   * to each pod, so at 1,000 platforms every 15 s they were 67 lists and 400 pod requests a second at rest.
   */
  roundsPerSecond?: number;
  timeoutMs?: number;
  concurrency?: number;
  maxPods?: number;
  /** The longest a round may take, all batches together (default 3 s). */
  roundBudgetMs?: number;
  now?: () => number;
  /** The checks of one /health answer (200 or 503 both carry them); throws when there is no answer. */
  fetchChecks?: (url: string, timeoutMs: number, tls?: PodTls) => Promise<PodHealth['checks']>;
  /** tls BuiltIn: the platform's trust bundle, and the name each component's certificate carries (certificates.ts). */
  trust?: Pick<PlatformTrust, 'forComponent'>;
}

export const HEALTH_INTERVAL_MS = 15_000;
export const HEALTH_ROUNDS_PER_SECOND = 10;

/** The pods worth asking: running, with an address, not going away, of a known component. */
export function healthTargets(
  pods: readonly PodResource[],
  maxPods: number,
  https = false,
): { component: ComponentName; pod: string; url: string }[] {
  const targets: { component: ComponentName; pod: string; url: string }[] = [];
  for (const pod of pods) {
    const component = pod.metadata.labels?.['app.kubernetes.io/component'];
    const ip = pod.status?.podIP;
    if (
      pod.metadata.deletionTimestamp ||
      pod.status?.phase !== 'Running' ||
      !ip ||
      !(COMPONENTS as readonly string[]).includes(component ?? '')
    )
      continue;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    targets.push({
      component: component as ComponentName,
      pod: pod.metadata.name,
      url: `${https ? 'https' : 'http'}://${host}:${METRICS_PORT}/health`,
    });
    if (targets.length >= maxPods) break;
  }
  return targets;
}

async function fetchChecks(url: string, timeoutMs: number, tls?: PodTls): Promise<PodHealth['checks']> {
  const response = await getPodText(url, timeoutMs, tls);
  const body = JSON.parse(response.text) as { checks?: PodHealth['checks'] };
  if (typeof body.checks !== 'object' || body.checks === null) throw new Error(`${url}: no checks in the answer`);
  return body.checks;
}

export class PodHealthPoller implements HealthReader {
  private readonly minIntervalMs: number;
  private readonly roundsPerSecond: number;
  /** The platforms looked at (forgotten when deleted), and when their last round was. */
  private readonly lastRound = new Map<string, number>();

  constructor(
    private readonly client: Pick<KubeClient, 'list'>,
    private readonly options: PodHealthOptions = {},
  ) {
    this.minIntervalMs = options.intervalMs ?? HEALTH_INTERVAL_MS;
    this.roundsPerSecond = options.roundsPerSecond ?? HEALTH_ROUNDS_PER_SECOND;
  }

  /** The interval, or longer when the platforms are more than roundsPerSecond can look at in it. */
  get intervalMs(): number {
    return Math.max(this.minIntervalMs, Math.ceil((this.lastRound.size / this.roundsPerSecond) * 1000));
  }

  nextRoundInMs(key: string): number {
    const last = this.lastRound.get(key);
    return last === undefined ? 0 : Math.max(0, last + this.intervalMs - (this.options.now ?? Date.now)());
  }

  async observe(key: string, platform: KycPlatform): Promise<PodHealth[] | undefined> {
    if (this.nextRoundInMs(key) > 0) return undefined;
    this.lastRound.set(key, (this.options.now ?? Date.now)());
    const selector = Object.entries(platformPodSelector(platform))
      .map(([name, value]) => `${name}=${value}`)
      .join(',');
    let pods: PodResource[];
    try {
      pods = (await this.client.list<PodResource>(POD, platform.metadata.namespace ?? '', { labelSelector: selector })).items;
    } catch {
      return undefined;
    }
    const targets = healthTargets(pods, this.options.maxPods ?? 50, tlsEnabled(platform.spec));
    // The trust of each component's pods; a platform without its bundle yet has nothing to ask.
    const trust = new Map<ComponentName, PodTls | undefined>();
    try {
      for (const component of new Set(targets.map((t) => t.component)))
        trust.set(component, tlsEnabled(platform.spec) ? await this.options.trust?.forComponent(platform, component) : undefined);
    } catch {
      return undefined;
    }
    const read = this.options.fetchChecks ?? fetchChecks;
    const timeoutMs = this.options.timeoutMs ?? 2000;
    const results: PodHealth[] = [];
    const concurrency = this.options.concurrency ?? 10;
    const clock = this.options.now ?? Date.now;
    const deadline = clock() + (this.options.roundBudgetMs ?? 3000);
    for (let i = 0; i < targets.length; i += concurrency) {
      const batch = targets.slice(i, i + concurrency);
      const left = deadline - clock();
      if (left <= 0) {
        for (const { component, pod } of batch) results.push({ component, pod, checks: undefined });
        continue;
      }
      const answers = await Promise.allSettled(
        batch.map((target) => read(target.url, Math.min(timeoutMs, left), trust.get(target.component))),
      );
      answers.forEach((answer, j) => {
        const { component, pod } = batch[j] as (typeof batch)[number];
        results.push({ component, pod, checks: answer.status === 'fulfilled' ? answer.value : undefined });
      });
    }
    return results;
  }

  forget(key: string): void {
    this.lastRound.delete(key);
  }
}
