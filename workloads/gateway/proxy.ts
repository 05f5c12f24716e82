// One HTTP exchange with an upstream instance over a keep-alive agent. Bodies are buffered: this is
// a JSON API with bounded bodies, and a buffered response can be cached for the stale fallback. The
// buffer is bounded too (`maxResponseBytes`): an answer beyond it is cut off, its socket destroyed.
//
// Where the request goes is decided by the instance alone. The host and port come from the
// configured instance URL and the path is sent as it is; the path is never resolved against the
// instance (`new URL(path, base)` lets an absolute or `//host` path replace the host — how the
// gateway became an open proxy), and the socket's peer is checked against the instance before a
// byte of the request is written.
//
// An https instance (KYC_TLS_DIR, docs/workloads.md "TLS between the components") is spoken to over
// TLS 1.3 at least, trusting the platform's bundle alone, and its certificate must carry the name of
// the upstream (the host of the UPSTREAM_* URL), not the pod's address the socket goes to. A handshake
// that fails (a certificate not trusted or not for that name, a peer that does not speak TLS 1.3) is a
// `tls` failure: the request never reached the application.
import http from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { TLS_MIN_VERSION } from '../shared/index.js';
import { SpanKind, contextWith, failSpan, injectTraceparent, startSpan } from '../shared/tracing.js';
import { parseAddress } from './client-address.js';

export interface Outgoing {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * `too-large`: the answer was longer than the gateway buffers (the upstream is not unhealthy for that).
 * `tls`: the TLS handshake failed, so nothing was sent (safe to try another instance, like `connect`).
 */
export type FailureKind = 'connect' | 'tls' | 'timeout' | 'io' | 'status' | 'too-large';

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly response?: UpstreamResponse,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** Errors where the request surely never reached the application: safe to retry elsewhere. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** How an https instance is verified. */
export interface OriginTls {
  /** The trust bundle (PEM): the platform's ca.crt. Undefined: Node.js's default CAs. */
  ca?: string;
  /**
   * The name sent (SNI) and checked against the certificate: the host of the UPSTREAM_* URL the
   * instance was found under. Undefined: the instance's address (a target given as an address).
   */
  servername?: string;
}

export interface Origin {
  hostname: string;
  port: number;
  /** Set for an https instance. */
  tls?: OriginTls;
}

/** The host and port of an instance URL (`http://10.0.0.7:8080`, `https://...`), and whether it is TLS; nothing else of it is used. */
export function originOf(instanceUrl: string): Origin {
  const url = new URL(instanceUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`upstream ${instanceUrl} is not an http or https URL`);
  // The URL parser keeps IPv6 literals in brackets; the socket API wants them bare.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (url.protocol === 'http:') return { hostname, port: url.port === '' ? 80 : Number(url.port) };
  return { hostname, port: url.port === '' ? 443 : Number(url.port), tls: {} };
}

/** Throws unless `path` is an origin-form path (`/...`, not `//...`): nothing that could name a host. */
export function assertOriginFormPath(path: string): void {
  if (!path.startsWith('/') || path.startsWith('//') || /[\\\s]/.test(path))
    throw new Error(`refusing to send the request target ${JSON.stringify(path.slice(0, 100))} upstream: not an origin-form path`);
}

/**
 * Throws unless `socket` is connected to `origin` (the port always; the address too when the
 * instance is configured by IP address — a DNS name resolves to addresses we cannot predict here).
 */
export function assertConnectedTo(socket: Pick<Socket, 'remoteAddress' | 'remotePort'>, origin: Origin): void {
  const expected = parseAddress(origin.hostname);
  const actual = parseAddress(socket.remoteAddress);
  const addressOk = expected === undefined || (actual !== undefined && actual.address === expected.address);
  if (socket.remotePort !== origin.port || !addressOk) {
    throw new Error(
      `connected to ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}, not to the instance ${origin.hostname}:${origin.port}`,
    );
  }
}

/**
 * How long a new connection to an instance may take. Inside a cluster a connection takes well under a
 * millisecond; one that takes longer is to a pod that is gone (its address no longer answers, not even
 * with a refusal) and is reported as `connect`, so the request goes to another pod at once instead of
 * waiting out the whole timeout and failing (docs/workloads.md, "Load balancing").
 */
export const CONNECT_TIMEOUT_MS = 1000;

/** The agent's pool is per (address, port, name, bundle): a renewed bundle is used by new connections only. */
function tlsOptions(tls: OriginTls): https.RequestOptions {
  return {
    minVersion: TLS_MIN_VERSION,
    ...(tls.ca !== undefined && { ca: tls.ca }),
    ...(tls.servername !== undefined && { servername: tls.servername }),
  };
}

/** `agent` must be an https.Agent for an origin with `tls`, an http.Agent otherwise. */
export function send(
  origin: Origin,
  outgoing: Outgoing,
  agent: http.Agent,
  timeoutMs: number,
  maxResponseBytes = Number.POSITIVE_INFINITY,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
): Promise<UpstreamResponse> {
  // A CLIENT span per attempt; the upstream continues it, never the client's own traceparent or
  // tracestate, which are replaced (docs/observability.md, "Traces").
  const span = startSpan(outgoing.method, {
    kind: SpanKind.CLIENT,
    childOnly: true,
    attributes: { 'http.request.method': outgoing.method, 'server.address': origin.hostname, 'server.port': origin.port },
  });
  const sent = new Promise<UpstreamResponse>((resolve, reject) => {
    assertOriginFormPath(outgoing.path); // a throw here rejects the promise
    const headers: OutgoingHttpHeaders = { ...outgoing.headers };
    if (span) {
      delete headers.traceparent;
      delete headers.tracestate;
      injectTraceparent(headers, contextWith(span));
    }
    if (outgoing.body !== undefined) headers['content-length'] = outgoing.body.length;
    const request = origin.tls ? https.request : http.request;
    // Over TLS, whether the handshake of this request's connection is done (a kept-alive one's is).
    let handshakeDone = origin.tls === undefined;
    const req = request(
      {
        hostname: origin.hostname,
        port: origin.port,
        path: outgoing.path,
        method: outgoing.method,
        headers,
        agent,
        timeout: timeoutMs,
        ...(origin.tls && tlsOptions(origin.tls)),
      },
      (res) => {
        const tooLarge = (): void => {
          // Destroying the response closes the socket: the rest of the answer is never read.
          res.destroy();
          reject(new UpstreamError(`the answer is larger than ${maxResponseBytes} bytes`, 'too-large'));
        };
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxResponseBytes) return tooLarge();
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxResponseBytes) tooLarge();
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (error) => reject(new UpstreamError(`reading the response failed: ${error.message}`, 'io')));
      },
    );
    // The request is written once the socket is connected (or at once on a reused keep-alive socket):
    // check where it leads first. A mismatch is a bug or a poisoned agent, never something to send to.
    req.on('socket', (socket: Socket) => {
      const check = (): void => {
        try {
          assertConnectedTo(socket, origin);
        } catch (error) {
          req.destroy(new UpstreamError((error as Error).message, 'io'));
        }
      };
      if (socket.remotePort !== undefined) {
        handshakeDone = true;
        return check(); // a kept-alive socket, connected (and its handshake done) already
      }
      // Over TLS the connection is made once the handshake is done: a pod that accepts and never
      // completes it is as gone as one that does not answer.
      const connecting = setTimeout(
        () => req.destroy(new UpstreamError(`no connection within ${connectTimeoutMs} ms`, 'connect')),
        connectTimeoutMs,
      );
      socket.once('connect', () => {
        if (!origin.tls) clearTimeout(connecting);
        check();
      });
      if (origin.tls)
        socket.once('secureConnect', () => {
          handshakeDone = true;
          clearTimeout(connecting);
        });
      req.once('close', () => clearTimeout(connecting));
    });
    req.on('timeout', () => req.destroy(new UpstreamError(`no answer within ${timeoutMs} ms`, 'timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof UpstreamError) reject(error);
      else if (CONNECT_CODES.has(error.code ?? '')) reject(new UpstreamError(error.message, 'connect'));
      else if (!handshakeDone) reject(new UpstreamError(`the TLS handshake failed: ${error.message}`, 'tls'));
      else reject(new UpstreamError(error.message, 'io'));
    });
    req.end(outgoing.body);
  });
  if (!span) return sent;
  return sent.then(
    (response) => {
      span.setAttribute('http.response.status_code', response.status);
      span.end();
      return response;
    },
    (error: unknown) => {
      failSpan(span, error);
      span.end();
      throw error;
    },
  );
}
