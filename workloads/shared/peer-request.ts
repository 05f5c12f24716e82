// A GET to another component of the platform (auth's JWKS today). Over https it trusts the platform's
// bundle alone (KYC_TLS_DIR's ca.crt, as it is at the time of the call), asks for TLS 1.3 at least, and
// checks the certificate against the URL's host, a name in the peer's certificate (the operator renders
// the URL: docs/workloads.md, "TLS between the components"). Without a bundle it is Node.js's default CAs.
// One connection per call (no pool): these calls are minutes apart.
import http from 'node:http';
import https from 'node:https';
import { TLS_MIN_VERSION } from './tls.js';
import { SpanKind, inSpan, injectTraceparent } from './tracing.js';
import type { PeerTrust } from './tls.js';

export interface PeerRequestOptions {
  trust?: PeerTrust | undefined;
  timeoutMs: number;
  /** A longer answer is cut off and the call fails. */
  maxBytes: number;
  headers?: Record<string, string>;
}

export interface PeerAnswer {
  status: number;
  text: string;
}

export function getFromPeer(url: string, options: PeerRequestOptions): Promise<PeerAnswer> {
  // A CLIENT span under the caller's, its traceparent sent along (docs/observability.md, "Traces").
  return inSpan('GET', { kind: SpanKind.CLIENT, childOnly: true, attributes: { 'http.request.method': 'GET', 'url.full': url } }, () => {
    const headers = { ...options.headers };
    injectTraceparent(headers);
    return get(url, { ...options, headers });
  });
}

function get(url: string, options: PeerRequestOptions): Promise<PeerAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') return Promise.reject(new Error(`${url} is not an http or https URL`));
  const ca = options.trust?.ca();
  const tlsOptions: https.RequestOptions = secure ? { minVersion: TLS_MIN_VERSION, ...(ca !== undefined && { ca }) } : {};
  const request = secure ? https.request : http.request;
  return new Promise<PeerAnswer>((resolve, reject) => {
    const req = request(target, { method: 'GET', headers: options.headers ?? {}, agent: false, ...tlsOptions }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.maxBytes) req.destroy(new Error(`the answer of ${url} is longer than ${options.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The whole call, connection and answer, within timeoutMs.
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.once('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end();
  });
}
