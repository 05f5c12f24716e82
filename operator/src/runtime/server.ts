// The operator's HTTP endpoints, on two ports as controller-runtime serves them:
// - the probe server: /healthz (the process is alive and its watches are running) and /readyz (caches
//   synced, not shutting down), plain HTTP without authentication, for the kubelet's probes;
// - the metrics server: /metrics over HTTPS (TLS 1.3 at least) for callers with a bearer token the API
//   server accepts (TokenReview) and the right to `get` the non-resource URL /metrics
//   (SubjectAccessReview; the ClusterRole kyc-operator-metrics-reader grants it). Plain HTTP without
//   authentication only when asked for (--metrics-secure=false, local development). docs/security.md.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { AccessReviewer } from './access-review.js';

export interface Probes {
  healthy: () => boolean;
  ready: () => boolean;
}

export interface ProbeServer {
  port: number;
  close: () => Promise<void>;
}

export interface MetricsServer extends ProbeServer {
  /** Swaps the serving certificate (a mounted one was renewed); no-op on plain HTTP. */
  updateCertificate(cert: ServingCertificate): void;
}

export interface ServingCertificate {
  cert: string;
  key: string;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Text written after the registry's, a piece at a time (metrics computed at scrape time and kept nowhere). */
  appendix?: () => Iterable<string>;
  /** HTTPS with authentication and authorisation; undefined = plain HTTP, anyone may read. */
  secure?: { certificate: ServingCertificate; reviewer: Pick<AccessReviewer, 'authenticate' | 'allowed'> };
}

type Reply = (code: number, body: string, headers?: Record<string, string>) => void;
const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

function replier(res: http.ServerResponse): Reply {
  return (code, body, headers = TEXT) => {
    res.writeHead(code, headers);
    res.end(body);
  };
}

const pathOf = (req: http.IncomingMessage): string => (req.url ?? '/').split('?')[0] ?? '/';

export async function startProbeServer(host: string, port: number, probes: Probes): Promise<ProbeServer> {
  const server = http.createServer((req, res) => {
    const reply = replier(res);
    const path = pathOf(req);
    if (req.method !== 'GET') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return probes.healthy() ? reply(200, 'ok\n') : reply(500, 'unhealthy\n');
    if (path === '/readyz') return probes.ready() ? reply(200, 'ok\n') : reply(503, 'not ready\n');
    reply(404, 'not found\n');
  });
  return listen(server, host, port);
}

/** Whether the request may read /metrics: undefined when it may, otherwise the refusal to send. */
async function refusal(
  req: http.IncomingMessage,
  reviewer: Pick<AccessReviewer, 'authenticate' | 'allowed'>,
): Promise<{ code: number; body: string; headers?: Record<string, string> } | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  const challenge = { ...TEXT, 'WWW-Authenticate': 'Bearer' };
  if (!match?.[1]) return { code: 401, body: 'a bearer token is required\n', headers: challenge };
  try {
    const caller = await reviewer.authenticate(match[1]);
    if (!caller) return { code: 401, body: 'the token is not valid\n', headers: challenge };
    if (!(await reviewer.allowed(caller, { nonResourceAttributes: { path: '/metrics', verb: 'get' } })))
      return { code: 403, body: `${caller.user} may not get /metrics\n` };
    return undefined;
  } catch {
    // The API server did not answer the review: the caller is neither let in nor told its token is bad.
    return { code: 503, body: 'cannot review the request now\n', headers: { ...TEXT, 'Retry-After': '5' } };
  }
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, secure } = options;
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const reply = replier(res);
    if (req.method !== 'GET') return reply(405, 'method not allowed\n');
    if (pathOf(req) !== '/metrics') return reply(404, 'not found\n');
    void (async () => {
      const refused = secure ? await refusal(req, secure.reviewer) : undefined;
      if (refused) return reply(refused.code, refused.body, refused.headers);
      const text = await registry.metrics();
      if (!options.appendix) return reply(200, text, { 'Content-Type': registry.contentType });
      // The first piece is asked for before the status goes out: an appendix that fails does so there
      // (the platform gauges compute everything before their first piece), and the scrape gets a 500.
      const pieces = options.appendix()[Symbol.iterator]();
      const first = pieces.next();
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.write(text);
      await writePieces(res, first, pieces);
    })().catch(() => (res.headersSent ? res.destroy() : reply(500, 'metrics unavailable\n')));
  };
  if (!secure) {
    const server = await listen(http.createServer(handle), options.host, options.port);
    return { ...server, updateCertificate: () => undefined };
  }
  // TLS 1.3 only (docs/security.md): Prometheus (Go) speaks it; a TLS 1.2 client fails the handshake.
  const server = https.createServer({ ...secure.certificate, minVersion: 'TLSv1.3' }, handle);
  const listening = await listen(server, options.host, options.port);
  return {
    ...listening,
    updateCertificate: (cert) => server.setSecureContext({ ...cert, minVersion: 'TLSv1.3' }),
  };
}

/**
 * Writes each piece as the client takes it, from `first` (already taken from `pieces`) on: a slow scraper
 * holds the text, not its bytes in buffers.
 */
async function writePieces(res: http.ServerResponse, first: IteratorResult<string>, pieces: Iterator<string>): Promise<void> {
  for (let piece = first; !piece.done; piece = pieces.next()) {
    if (res.destroyed) return;
    if (!res.write(piece.value)) await drained(res);
  }
  res.end();
}

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

async function listen(server: http.Server, host: string, port: number): Promise<ProbeServer> {
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
