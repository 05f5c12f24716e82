// Prometheus metrics with prom-client. One registry per service instance (not the global one), so
// several services can run in one process (tests) without name clashes.
import client from 'prom-client';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestHandler } from 'express';

export interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export class Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'code'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'code'>;
  readonly httpInFlight: Gauge;
  private readonly counters = new Map<string, Counter<string>>();

  constructor(
    readonly component: string,
    defaultLabels: Record<string, string> = {},
  ) {
    this.registry = new client.Registry();
    this.registry.setDefaultLabels({ component, ...defaultLabels });
    // The standard names (process_*, nodejs_*), so that stock Node.js dashboards work; the default labels
    // (component, platform) tell the services apart (docs/observability.md).
    client.collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new client.Counter({
      name: 'kyc_http_requests_total',
      help: 'HTTP requests by route, method and status code',
      // `code`, as Prometheus' own and client_golang's promhttp name the status code label.
      labelNames: ['method', 'route', 'code'],
      registers: [this.registry],
    });
    this.httpDuration = new client.Histogram({
      name: 'kyc_http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status code',
      labelNames: ['method', 'route', 'code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.httpInFlight = new client.Gauge({
      name: 'kyc_http_requests_in_flight',
      help: 'HTTP requests being served',
      registers: [this.registry],
    });
  }

  /** A business counter (e.g. `kyc_applications_submitted_total`), created once and reused. */
  counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
    let counter = this.counters.get(name);
    if (!counter) {
      counter = new client.Counter({ name, help, labelNames, registers: [this.registry] });
      this.counters.set(name, counter);
    }
    return counter;
  }

  gauge(name: string, help: string, labelNames: string[] = [], collect?: (gauge: Gauge<string>) => void): Gauge<string> {
    const existing = this.registry.getSingleMetric(name) as Gauge<string> | undefined;
    if (existing) return existing;
    return new client.Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect && {
        collect(this: Gauge<string>) {
          collect(this);
        },
      }),
    });
  }

  histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram<string> {
    const existing = this.registry.getSingleMetric(name) as Histogram<string> | undefined;
    if (existing) return existing;
    return new client.Histogram({ name, help, labelNames, registers: [this.registry], ...(buckets && { buckets }) });
  }

  /** Connection pool gauges, read at scrape time. */
  observePool(name: string, pool: PoolLike): void {
    this.gauge('kyc_db_pool_connections', 'PostgreSQL pool connections by state', ['pool', 'state'], (gauge) => {
      gauge.set({ pool: name, state: 'total' }, pool.totalCount);
      gauge.set({ pool: name, state: 'idle' }, pool.idleCount);
      gauge.set({ pool: name, state: 'waiting' }, pool.waitingCount);
    });
  }

  /**
   * Middleware that counts and times every request. Every label comes from a fixed set, so that
   * nothing a client sends becomes a label value (a PAN or an e-mail address in a path once became
   * a series): `route` is the express route pattern that answered (`/api/v1/applications/:id`), a
   * route-table name the handler put in `res.locals.routeLabel` (the gateway's
   * `kyc:/api/v1/applications/:id`), or `unmatched`; `method` is a standard method or `OTHER`.
   */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      this.httpInFlight.inc();
      res.once('close', () => {
        this.httpInFlight.dec();
        const routePath = (req.route as { path?: unknown } | undefined)?.path;
        const route =
          typeof routePath === 'string'
            ? `${req.baseUrl}${routePath}`
            : typeof res.locals.routeLabel === 'string'
              ? res.locals.routeLabel
              : 'unmatched';
        const labels = {
          method: STANDARD_METHODS.has(req.method) ? req.method : 'OTHER',
          route: String(route),
          code: String(res.statusCode),
        };
        this.httpRequests.inc(labels);
        this.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    };
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
