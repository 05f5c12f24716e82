// A stand-in upstream instance for gateway tests: answers with its own name and what it received,
// can be slow on request, and can be stopped and started again on the same port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

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

  constructor(readonly name: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.hits += 1;
        const answer = (): void => {
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
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
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
