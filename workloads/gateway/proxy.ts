// One HTTP exchange with an upstream instance over a keep-alive connection pool (undici). Bodies are
// buffered: this is a JSON API with bounded bodies, and a buffered response can be cached for the stale
// fallback. undici rather than node:http's client: the proxied request's client half cost about half
// as much CPU with it in a profile of the gateway under load (the gateway is a proxy: that half is
// a large share of its work per request).
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Pool, errors } from 'undici';

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
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

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
  // Handled by the gateway's own server (100-continue); the upstream always gets the whole body.
  'expect',
]);

/** A keep-alive connection pool to one upstream instance. */
export function upstreamPool(baseUrl: string, options: { connections?: number } = {}): Pool {
  return new Pool(baseUrl, {
    connections: options.connections ?? 256,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connectTimeout: 2_000,
  });
}

/**
 * Sends `outgoing` to the pool's instance. Fails with an UpstreamError: `connect` (never reached the
 * application: safe to retry elsewhere), `timeout` (no answer, or the body stalled, for `timeoutMs`), or
 * `io` (anything else on the way).
 */
export async function send(pool: Pool, outgoing: Outgoing, timeoutMs: number): Promise<UpstreamResponse> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(outgoing.headers)) {
    if (value === undefined) continue;
    headers[name] = typeof value === 'number' ? String(value) : value;
  }
  try {
    const response = await pool.request({
      path: outgoing.path,
      method: outgoing.method,
      headers,
      body: outgoing.body ?? null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
    return { status: response.statusCode, headers: response.headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) };
  } catch (error) {
    throw toUpstreamError(error);
  }
}

function toUpstreamError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) return new UpstreamError(`no answer within the time limit (${error.code})`, 'timeout');
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError(message, typeof code === 'string' && CONNECT_CODES.has(code) ? 'connect' : 'io');
}
