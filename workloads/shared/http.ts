// The express app every service starts from: request ids, security headers, metrics, access logs,
// /ready /livez, JSON bodies (size and depth limited), and problem+json errors (added by `finish`); and a
// second listener on the metrics port for /metrics and the detailed /health, which the Ingress, the
// NodePort and the Service's `http` port never expose (workload contract: PORT and METRICS_PORT). Both
// listeners serve HTTPS only when the service has its certificate (KYC_TLS_DIR, tls.ts), plain HTTP without.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { RequestListener, Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import express from 'express';
import type { Express, Request, RequestHandler } from 'express';
import './context.js';
import { healthReport } from './health.js';
import type { HealthChecks } from './health.js';
import { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import { DEFAULT_JSON_MAX_DEPTH, verifyJsonBody } from './json-limits.js';
import { Metrics } from './metrics.js';
import { dependencyErrorHandler } from './dependency-errors.js';
import { notFound, notFoundHandler, problemErrorHandler } from './problem.js';
import { modeGate } from './service-mode.js';
import type { ModeSource } from './service-mode.js';
import type { ServiceTls } from './tls.js';
import { tracingMiddleware } from './tracing.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Where /metrics and /health listen unless METRICS_PORT says otherwise (container port `metrics`). */
export const DEFAULT_METRICS_PORT = 9090;

/** Paths served only on the metrics port; the main port answers them 404. */
const METRICS_PORT_PATHS = ['/metrics', '/health'];

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  'Cache-Control': 'no-store',
};

/** Sets `req.id` (a sane incoming X-Request-Id, else a new UUID) and echoes it as X-Request-Id. */
export const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.headers['x-request-id'];
  req.id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
};

const REQUEST_LOGGER = Symbol('kyc.requestLogger');

/**
 * `req.log` for every request of `app`: a child of `logger` carrying the request id, made on first use.
 * Most requests never log (the access line goes through the base logger with the id as a field), and a
 * pino child per request was a measurable share of a proxied request's CPU.
 */
export function installRequestLogger(app: Express, logger: Logger): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request & { [REQUEST_LOGGER]?: Logger }): Logger {
      let log = this[REQUEST_LOGGER];
      if (!log) {
        log = logger.child({ requestId: this.id });
        this[REQUEST_LOGGER] = log;
      }
      return log;
    },
    set(this: Request & { [REQUEST_LOGGER]?: Logger }, value: Logger) {
      this[REQUEST_LOGGER] = value;
    },
  });
}

export const securityHeaders: RequestHandler = (_req, res, next) => {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  next();
};

/**
 * One JSON line per request: no query string, no bodies, no headers (they may hold PII or tokens).
 * Written through the service's logger with `requestId` as a field (the same line a request child
 * logger would write, without making one per request).
 */
export function accessLog(logger: Logger, level: 'info' | 'debug'): RequestHandler {
  return (req, res, next) => {
    if (!logger.isLevelEnabled(level)) return next();
    const started = process.hrtime.bigint();
    res.once('close', () => {
      logger[level](
        {
          requestId: req.id,
          method: req.method,
          path: req.path.slice(0, 200),
          status: res.statusCode,
          durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          bytes: Number(res.getHeader('content-length') ?? 0),
          userId: req.principal?.sub,
          remote: req.socket.remoteAddress,
        },
        'request',
      );
    });
    next();
  };
}

export interface ServiceOptions {
  component: string;
  logger: Logger;
  version?: string;
  platform?: string;
  health?: HealthChecks;
  /** Largest accepted JSON body (express size string), default 1mb; larger bodies get 413. */
  bodyLimit?: string;
  /** Deepest nesting of arrays/objects accepted in a JSON body, default 32; deeper bodies get 400. */
  jsonMaxDepth?: number;
  accessLogLevel?: 'info' | 'debug';
  /** Longest wait for in-flight requests at shutdown before connections are cut. */
  shutdownGraceMs?: number;
  /** Parse JSON bodies (default true; the gateway forwards raw bodies instead). */
  parseJson?: boolean;
  /** Headers added to every response, /health and errors included (e.g. X-KYC-Version). */
  responseHeaders?: Record<string, string>;
  /**
   * Makes the main listener's server around the app (default `listenerServer(app, tls)`). The gateway
   * checks every raw request target here, before express, so no path can skip the check. With `tls` it
   * must make a TLS server (listenerServer does).
   */
  createServer?: (app: Express) => Server;
  /** The certificate both listeners serve (KYC_TLS_DIR); without it they speak plain HTTP. */
  tls?: ServiceTls;
}

/**
 * The server a listener of the service runs: HTTPS with the service's certificate (kept current by
 * `tls`, TLS 1.3 at least, no plain-text answer at all) when it has one, plain HTTP otherwise.
 */
export function listenerServer(listener: RequestListener, tls: ServiceTls | undefined): Server {
  if (!tls) return http.createServer(listener);
  const server = https.createServer(tls.serverOptions(), listener);
  tls.serve(server);
  return server;
}

export interface Listening {
  server: Server;
  port: number;
  url: string;
  /** The metrics listener: /metrics and the detailed /health. */
  metricsServer: Server;
  metricsPort: number;
  metricsUrl: string;
}

/**
 * A service: its express app with the common middleware, metrics, health and lifecycle. Add routes
 * to `app` (or `api`), then call `listen()` — it adds the 404 and error handlers first.
 */
export class Service {
  readonly app: Express;
  /** The metrics port's app: /metrics and /health only. */
  readonly metricsApp: Express;
  readonly metrics: Metrics;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  /** The service's certificate and the platform's trust bundle (KYC_TLS_DIR); undefined: plain HTTP. */
  readonly tls: ServiceTls | undefined;
  private healthChecks: HealthChecks;
  private finished = false;
  private modeSource: ModeSource | undefined;

  constructor(readonly options: ServiceOptions) {
    this.logger = options.logger;
    this.tls = options.tls;
    this.metrics = new Metrics(options.component, options.platform ? { platform: options.platform } : {});
    this.lifecycle = new Lifecycle(this.logger);
    this.healthChecks = options.health ?? {};
    const app = baseApp(this.logger, options.responseHeaders);
    // Each request's span, continued from its traceparent (docs/observability.md, "Traces").
    app.use(tracingMiddleware());
    app.use(this.metrics.httpMiddleware());
    app.use(accessLog(this.logger, options.accessLogLevel ?? 'debug'));
    // Monitoring endpoints answer 404 here, whatever a route added later would do with the path: they
    // are on the metrics port only, which nothing outside the cluster's monitoring reaches.
    app.all(METRICS_PORT_PATHS, (req, _res, next) => {
      next(notFound(`no route for ${req.method} ${req.path.slice(0, 200)}`));
    });
    app.get('/livez', (_req, res) => {
      res.status(200).json({ alive: true, uptime: process.uptime() });
    });
    app.get('/ready', (_req, res) => {
      const ready = this.lifecycle.isReady();
      res.status(ready ? 200 : 503).json({ ready, draining: this.lifecycle.isDraining() });
    });
    // After the probes (a forced mode must not make the kubelet restart anything), before the body is
    // parsed (a refused write reads nothing): the reduced-functionality modes (service-mode.ts).
    app.use(modeGate(() => this.modeSource));
    if (options.parseJson ?? true) {
      app.use(
        express.json({
          limit: options.bodyLimit ?? '1mb',
          type: ['application/json', 'application/*+json'],
          verify: verifyJsonBody(options.jsonMaxDepth ?? DEFAULT_JSON_MAX_DEPTH),
        }),
      );
    }
    this.app = app;
    this.metricsApp = this.buildMetricsApp();
  }

  /** The metrics port's app: no request metrics or access log (scrapes would count as traffic). */
  private buildMetricsApp(): Express {
    const app = baseApp(this.logger, this.options.responseHeaders);
    app.get('/health', async (_req, res) => {
      const report = await healthReport(this.healthChecks);
      res.status(report.message === 'OK' ? 200 : 503).json(report);
    });
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await this.metrics.render();
      res.type(contentType).send(body);
    });
    app.use(notFoundHandler);
    app.use(problemErrorHandler(this.logger));
    return app;
  }

  /** The mode in force from now on (the live settings, docs/api.md "Degradation"); Normal until called. */
  followMode(source: ModeSource): void {
    this.modeSource = source;
  }

  setHealthChecks(checks: HealthChecks): void {
    this.healthChecks = { ...this.healthChecks, ...checks };
  }

  /** Adds the 404 and problem+json error handlers; call after every route is registered. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.app.use(notFoundHandler);
    // A dependency failing under a route is a 503 with Retry-After, whatever the route (dependency-errors.ts).
    this.app.use(dependencyErrorHandler(this.logger));
    this.app.use(problemErrorHandler(this.logger));
  }

  /**
   * Starts the metrics listener, then the main one, and marks the service ready. `metricsPort` defaults
   * to 9090, except when `port` is 0 (any free port: in-process tests, where several services share
   * one process), where the metrics listener takes a free port too; `Listening` says which.
   */
  async listen(port = 0, host = '127.0.0.1', metricsPort?: number): Promise<Listening> {
    this.finish();
    const grace = this.options.shutdownGraceMs ?? 10_000;
    // Registered first, so it closes after the main listener has drained (closers run in reverse):
    // monitoring can watch the drain.
    const metricsServer = await startServer(
      listenerServer(this.metricsApp, this.tls),
      metricsPort ?? (port === 0 ? 0 : DEFAULT_METRICS_PORT),
      host,
    );
    this.lifecycle.onShutdown('metrics-http', () => closeServer(metricsServer, Math.min(grace, 1000)));
    const made = (this.options.createServer ?? ((app: Express) => listenerServer(app, this.tls)))(this.app);
    // A plain listener beside a certificate would serve in clear what the platform promised to encrypt.
    if (this.tls) {
      if (!(made instanceof TlsServer)) throw new Error(`${this.options.component}: the main listener must serve TLS (KYC_TLS_DIR is set)`);
      this.tls.serve(made); // a server made by createServer: its certificate is renewed too (serve keeps a set)
    }
    const server = await startServer(made, port, host);
    server.keepAliveTimeout = 65_000;
    this.lifecycle.onShutdown('http', () => closeServer(server, grace));
    this.lifecycle.markReady();
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const scheme = this.tls ? 'https' : 'http';
    const address = server.address() as AddressInfo;
    const metricsAddress = metricsServer.address() as AddressInfo;
    this.logger.info({ port: address.port, metricsPort: metricsAddress.port, scheme }, `${this.options.component} listening`);
    return {
      server,
      port: address.port,
      url: `${scheme}://${shownHost}:${address.port}`,
      metricsServer,
      metricsPort: metricsAddress.port,
      metricsUrl: `${scheme}://${shownHost}:${metricsAddress.port}`,
    };
  }

  close(): Promise<void> {
    return this.lifecycle.shutdown();
  }
}

/** An express app with what both listeners share: request ids, security and extra response headers. */
function baseApp(logger: Logger, responseHeaders: Record<string, string> = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('etag', false);
  installRequestLogger(app, logger);
  app.use(requestContext);
  app.use(securityHeaders);
  const extraHeaders = Object.entries(responseHeaders);
  if (extraHeaders.length > 0) {
    app.use((_req, res, next) => {
      for (const [name, value] of extraHeaders) res.setHeader(name, value);
      next();
    });
  }
  return app;
}

async function startServer(server: Server, port: number, host: string): Promise<Server> {
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}

/** Stops accepting, lets in-flight requests finish (up to `graceMs`), then cuts what is left. */
export async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  // Keep-alive connections that become idle after their last response are closed as they go idle.
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  await closed;
  clearTimeout(timer);
  clearInterval(idleSweep);
}
