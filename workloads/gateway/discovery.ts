// Finds the instances (pods) of one upstream by DNS. The operator points each UPSTREAM_* variable at
// a headless Service (`<platform>-<upstream>-pods`, per colour under blue-green), whose A records are
// the addresses of its ready pods; the gateway resolves it every 2 s and at once after a connection
// failure, so scale-outs, terminations and colour switches reach the balancer within seconds
// (docs/workloads.md, "Load balancing"). DNS rather than watching EndpointSlices: the gateway is the
// internet-facing component, and it holds no Kubernetes credentials and has no API egress
// (docs/security.md).
//
// A target given as an IP address is one instance and is never resolved. A name that does not exist
// or has no address (a headless Service without ready pods) means no instance; any other resolver
// error keeps the last answer (a DNS hiccup must not empty an upstream). An instance keeps its
// target's scheme, and remembers the target's name: over TLS the pod's certificate must carry that
// name, not the address the gateway connects to (`nameOf`).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** The addresses a name has now; [] when it has none. Throws when the answer is unknown. */
export type Resolve = (hostname: string) => Promise<string[]>;

/** Codes meaning "this name has no address", as opposed to "the resolver could not say". */
const NO_ADDRESS = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * The system resolver (getaddrinfo: /etc/hosts, then the pod's resolv.conf with its search domains,
 * so the Service's short name works). glibc keeps no cache: each call asks the cluster DNS.
 */
export const systemResolve: Resolve = async (hostname) => {
  try {
    const answers = await lookup(hostname, { all: true, order: 'ipv4first' });
    return answers.map((answer) => answer.address);
  } catch (error) {
    if (NO_ADDRESS.has((error as NodeJS.ErrnoException).code ?? '')) return [];
    throw error;
  }
};

export interface DiscoveryOptions {
  resolve?: Resolve;
  /** How often names are resolved again. */
  intervalMs?: number;
  /** Smallest gap between two resolutions asked for by failures (a burst of refusals asks once). */
  minGapMs?: number;
  /** Called with the instance URLs whenever the set changes. */
  onChange: (urls: string[]) => void;
  onError?: (hostname: string, error: unknown) => void;
  now?: () => number;
}

export const DISCOVERY_INTERVAL_MS = 2000;

function instanceUrl(protocol: string, address: string, port: string): string {
  const host = isIP(address) === 6 ? `[${address}]` : address;
  return `${protocol}//${host}${port === '' ? '' : `:${port}`}`;
}

export class Discovery {
  private readonly last = new Map<string, string[]>();
  /** Instance URL → the name of the target it was found under. */
  private names = new Map<string, string>();
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRun = Number.NEGATIVE_INFINITY;
  private current = '';
  private readonly resolve: Resolve;
  private readonly now: () => number;

  /** @param targets `http(s)://host:port` origins (parseUpstreams) */
  constructor(
    private readonly targets: readonly string[],
    private readonly options: DiscoveryOptions,
  ) {
    this.resolve = options.resolve ?? systemResolve;
    this.now = options.now ?? Date.now;
  }

  /** Whether any target is a name (else the instances are fixed and nothing is ever resolved). */
  get dynamic(): boolean {
    return this.targets.some((target) => isIP(new URL(target).hostname.replace(/^\[|\]$/g, '')) === 0);
  }

  /** Resolves once (the first answer is awaited) and then every intervalMs until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    if (!this.dynamic || this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? DISCOVERY_INTERVAL_MS);
    // Discovery alone never keeps the process alive.
    this.timer.unref();
  }

  /** Resolves again now, unless a resolution is under way (then that one is awaited). */
  refresh(): Promise<void> {
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** A connection to an instance failed: resolve again soon, at most once per minGapMs. */
  suspect(): void {
    if (this.now() - this.lastRun >= (this.options.minGapMs ?? 500)) void this.refresh();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The host of the target an instance was found under; undefined for a target given as an address. */
  nameOf(instanceUrl: string): string | undefined {
    return this.names.get(instanceUrl);
  }

  private async run(): Promise<void> {
    this.lastRun = this.now();
    const found = await Promise.all(this.targets.map(async (target) => ({ target, urls: await this.instancesOf(target) })));
    const names = new Map<string, string>();
    for (const { target, urls } of found) {
      const hostname = new URL(target).hostname;
      if (isIP(hostname.replace(/^\[|\]$/g, '')) === 0) for (const url of urls) names.set(url, hostname);
    }
    this.names = names;
    const sorted = [...new Set(found.flatMap(({ urls }) => urls))].sort();
    const key = sorted.join(',');
    if (key === this.current) return;
    this.current = key;
    this.options.onChange(sorted);
  }

  private async instancesOf(target: string): Promise<string[]> {
    const url = new URL(target);
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(hostname) !== 0) return [instanceUrl(url.protocol, hostname, url.port)];
    try {
      const addresses = await this.resolve(hostname);
      this.last.set(hostname, addresses);
      return addresses.map((address) => instanceUrl(url.protocol, address, url.port));
    } catch (error) {
      this.options.onError?.(hostname, error);
      return (this.last.get(hostname) ?? []).map((address) => instanceUrl(url.protocol, address, url.port));
    }
  }
}
