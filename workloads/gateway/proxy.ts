// One HTTP exchange with an upstream instance over a keep-alive agent. Bodies are buffered: this is
// a JSON API with bounded bodies, and a buffered response can be cached for the stale fallback.
import http from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

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

export type FailureKind = 'connect' | 'timeout' | 'io' | 'status';

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

export function send(baseUrl: string, outgoing: Outgoing, agent: http.Agent, timeoutMs: number): Promise<UpstreamResponse> {
  const target = new URL(outgoing.path, baseUrl);
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...outgoing.headers };
    if (outgoing.body !== undefined) headers['content-length'] = outgoing.body.length;
    const req = http.request(
      { hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: outgoing.method, headers, agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (error) => reject(new UpstreamError(`reading the response failed: ${error.message}`, 'io')));
      },
    );
    req.on('timeout', () => req.destroy(new UpstreamError(`no answer within ${timeoutMs} ms`, 'timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof UpstreamError) reject(error);
      else reject(new UpstreamError(error.message, CONNECT_CODES.has(error.code ?? '') ? 'connect' : 'io'));
    });
    req.end(outgoing.body);
  });
}
