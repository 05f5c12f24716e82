// A stand-in upstream instance for gateway tests: answers with its own name and what it received,
// can be slow on request, can answer what a test tells it to (`answer`), can stream an endless answer
// (targets containing "huge"), and can be stopped and started again on the same port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from '@jest/globals';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { eventually, request, suffix, verifierEnv } from './support.js';

export interface Echo {
  instance: string;
  method: string;
  path: string;
  userId?: string;
  userRole?: string;
  authorization: boolean;
  forwardedFor?: string;
  body: string;
}

/** What a test wants answered instead of the echo. */
export interface CannedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

export class FakeUpstream {
  private server: http.Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  port = 0;
  hits = 0;
  /** Delay for paths containing /slow. */
  slowMs = 400;
  /** When set, every request waits this long (breaker timeout tests). */
  delayAllMs = 0;
  /** When set, every request is answered with this status. */
  failWith: number | undefined;
  /** When set and it returns an answer, that is sent instead of the echo. */
  answer: ((path: string) => CannedAnswer | undefined) | undefined;
  /** Bytes written of the last endless ("huge") answer before the client went away. */
  hugeBytesSent = 0;

  /** @param host the loopback address to listen on (127.0.0.2 and up play other pods on one port) */
  constructor(
    readonly name: string,
    readonly host = '127.0.0.1',
  ) {}

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.hits += 1;
        const answer = (): void => {
          if (req.url?.includes('huge')) return this.streamForever(res);
          const canned = this.answer?.(req.url ?? '');
          if (canned) {
            res.writeHead(canned.status ?? 200, { 'content-type': 'application/json', ...canned.headers });
            res.end(canned.body);
            return;
          }
          const echo: Echo = {
            instance: this.name,
            method: req.method ?? '',
            path: req.url ?? '',
            ...(typeof req.headers['x-user-id'] === 'string' && { userId: req.headers['x-user-id'] }),
            ...(typeof req.headers['x-user-role'] === 'string' && { userRole: req.headers['x-user-role'] }),
            authorization: req.headers.authorization !== undefined,
            ...(typeof req.headers['x-forwarded-for'] === 'string' && { forwardedFor: req.headers['x-forwarded-for'] }),
            body: Buffer.concat(chunks).toString('utf8'),
          };
          res.writeHead(this.failWith ?? 200, { 'content-type': 'application/json', 'x-kyc-version': 'upstream-must-not-leak' });
          res.end(JSON.stringify(echo));
        };
        const delay = this.delayAllMs || (req.url?.includes('/slow') ? this.slowMs : 0);
        if (delay > 0) {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            answer();
          }, delay);
          this.timers.add(timer);
        } else answer();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** 64 KiB chunks for as long as the client reads them (up to 1 GiB): only the client can end it. */
  private streamForever(res: http.ServerResponse): void {
    this.hugeBytesSent = 0;
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let closed = false;
    res.once('close', () => {
      closed = true;
    });
    res.on('error', () => undefined);
    const pump = (): void => {
      while (!closed && this.hugeBytesSent < 1024 ** 3) {
        this.hugeBytesSent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

/** Sends `n` requests to `url` one after another, each answered 200, and counts them by the instance that answered. */
/**
 * The environment of a gateway balancing kyc over `instances`: no rate limit, and the test client as the trusted
 * proxy (the ip-hash tests name client addresses in X-Forwarded-For).
 */
export function balancingGatewayEnv(instances: readonly FakeUpstream[]): Record<string, string> {
  return {
    REDIS_KEY_PREFIX: `test-${suffix()}:`,
    ...verifierEnv(),
    UPSTREAM_KYC: instances.map((i) => i.url).join(','),
    RATE_LIMIT_REQUESTS: '0',
    GATEWAY_TRUSTED_PROXIES: '127.0.0.1',
  };
}

export async function tallyByInstance(
  url: string,
  token: string,
  n: number,
  headers: (i: number) => Record<string, string> = () => ({}),
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) {
    const res = await request<Echo>(url, { token, headers: headers(i) });
    expect(res.status).toBe(200);
    counts[res.body.instance] = (counts[res.body.instance] ?? 0) + 1;
  }
  return counts;
}

/**
 * Holds two slow requests at the gateway's kyc balancer (the instances must be slow already), then sends
 * six quick ones: the instances that were busy, and where the quick ones went.
 */
export async function quickWhileTwoBusy(
  gateway: RunningGateway,
  token: string,
): Promise<{ busy: string[]; quick: Record<string, number> }> {
  const slow = [
    request<Echo>(`${gateway.url}/api/v1/applications/slow`, { token }),
    request<Echo>(`${gateway.url}/api/v1/applications/slow`, { token }),
  ];
  // Both slow requests are in flight at the balancer (a fixed sleep was not enough on a loaded machine).
  const kyc = gateway.upstreams.get('kyc');
  await eventually(
    () => ((kyc?.balancer.instances.filter((instance) => instance.active > 0).length ?? 0) >= 2 ? true : undefined),
    10_000,
    10,
  );
  const quick = await tallyByInstance(`${gateway.url}/api/v1/applications/1`, token, 6);
  const busy = (await Promise.all(slow)).map((res) => res.body.instance);
  return { busy, quick };
}
