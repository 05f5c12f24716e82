// The HTTPS server of external.metrics.k8s.io/v1beta1: discovery documents and one metric value per
// request, answered from the scaling engine's readings (no I/O on the request path but the cached
// SubjectAccessReview). Certificates can be swapped while it runs (rotation).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../runtime/logger.js';
import { MetricUnavailableError, toQuantity } from '../api/metrics.js';
import { authenticate, type Authorizer, type RequestHeaderAuth } from './auth.js';
import { apiGroup, apiGroupList, apiResourceList, metricValueList, parseRequest, status } from './request.js';

export interface MetricValues {
  value(namespace: string, metric: string, selector: Readonly<Record<string, string>>): { value: number; timestamp: Date };
}

export interface ServingCert {
  cert: string;
  key: string;
}

export interface MetricsApiServer {
  port: number;
  /** Replaces the serving certificate (rotation) or the client CA (the ConfigMap changed). */
  update(cert: ServingCert, auth?: RequestHeaderAuth): void;
  close(): Promise<void>;
}

export interface MetricsApiOptions {
  host: string;
  port: number;
  cert: ServingCert;
  auth: RequestHeaderAuth;
  authorizer: Pick<Authorizer, 'allowed'>;
  values: MetricValues;
  logger: Logger;
  /** Observes each request's duration (seconds) by outcome code. */
  observe?: (code: number, seconds: number) => void;
}

function send(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export async function startMetricsApiServer(options: MetricsApiOptions): Promise<MetricsApiServer> {
  let auth = options.auth;
  const tlsOptions = (cert: ServingCert, a: RequestHeaderAuth) => ({
    cert: cert.cert,
    key: cert.key,
    ca: a.clientCa,
    requestCert: true,
    // The handshake succeeds without a trusted client certificate so that the answer can be a
    // proper 401 Status; every request path but health checks demands one.
    rejectUnauthorized: false,
    // TLS 1.3 only (docs/security.md): the aggregator (kube-apiserver, Go) and the kubelet's
    // probes speak it; a client that offers no more than TLS 1.2 fails the handshake.
    minVersion: 'TLSv1.3' as const,
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
    const parsed = parseRequest(request.method ?? 'GET', request.url ?? '/');
    if (parsed.kind === 'health') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return 200;
    }
    const caller = authenticate(request, auth);
    if ('error' in caller) {
      send(response, 401, status(401, 'Unauthorized', caller.error));
      return 401;
    }
    switch (parsed.kind) {
      case 'apis':
        send(response, 200, apiGroupList());
        return 200;
      case 'group':
        send(response, 200, apiGroup());
        return 200;
      case 'resources':
        send(response, 200, apiResourceList());
        return 200;
      case 'unknown':
        send(response, 404, status(404, 'NotFound', `the server could not find the requested resource`));
        return 404;
      case 'invalid':
        send(response, 400, status(400, 'BadRequest', parsed.message));
        return 400;
      case 'metric': {
        if (!(await options.authorizer.allowed(caller, parsed.namespace, parsed.metric))) {
          const message = `user ${JSON.stringify(caller.user)} cannot list ${parsed.metric} in external.metrics.k8s.io in namespace ${parsed.namespace}`;
          send(response, 403, status(403, 'Forbidden', message));
          return 403;
        }
        try {
          const { value, timestamp } = options.values.value(parsed.namespace, parsed.metric, parsed.selector);
          send(response, 200, metricValueList(parsed.metric, parsed.selector, toQuantity(value), timestamp));
          return 200;
        } catch (error) {
          if (!(error instanceof MetricUnavailableError)) throw error;
          send(response, 404, status(404, 'NotFound', error.message));
          return 404;
        }
      }
    }
  };

  const server: Server = createServer(tlsOptions(options.cert, auth), (request, response) => {
    const started = process.hrtime.bigint();
    handle(request, response).then(
      (code) => options.observe?.(code, Number(process.hrtime.bigint() - started) / 1e9),
      (error: unknown) => {
        options.logger.warn({ err: (error as Error).message, path: request.url }, 'external metrics request failed');
        if (!response.headersSent) send(response, 500, status(500, 'InternalError', 'internal error; see the operator log'));
        options.observe?.(500, Number(process.hrtime.bigint() - started) / 1e9);
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    update: (cert, nextAuth) => {
      if (nextAuth) auth = nextAuth;
      server.setSecureContext(tlsOptions(cert, auth));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
