// The gateway: the platform's only public entry. It refuses request targets that are not
// normalised origin-form paths (edge.ts: the HTTP server itself, before express), serves the OpenAPI
// document, verifies access tokens, limits clients (by the address trusted proxies vouch for), refuses
// JSON bodies nested too deeply, and forwards /api/v1/** to the upstream services across their
// instances (load balancer + circuit breaker per upstream, answers bounded in size), with stale-cache
// (routes without personal data only) and 503 fallbacks. The web app's paths (GET/HEAD outside /api/)
// go to the frontend component the same way (docs/frontend.md, "How it runs"). Start-up and drain:
// ../shared/startup.ts.
import type { OutgoingHttpHeaders } from 'node:http';
import express from 'express';
import type { Request, Response } from 'express';
import {
  BatchedRateLimiter,
  PUBLIC_STATUS_PATH,
  ProblemError,
  bearerToken,
  jsonTooDeep,
  notFound,
  runUntilSignalled,
  sendProblem,
  serviceUnavailable,
  startService,
  startTokenVerifier,
  tooManyRequests,
  unauthorized,
} from '../shared/index.js';
import type { Metrics, RunningService, StartOptions, Wiring } from '../shared/index.js';
import type { InstanceSpec } from './balancer.js';
import type { Resolve } from './discovery.js';
import { formatAffinity, parseAffinity, readCookie } from './affinity.js';
import { isJsonTooDeep } from './body-checks.js';
import { LOAD_BALANCING_SECTION, followLoadBalancing, parseLoadBalancing } from './live-balancing.js';
import { StaleCache, mayStore } from './cache.js';
import { arrivedOverTls, clientAddress } from './client-address.js';
import { guardedServer } from './edge.js';
import { UPSTREAM_NAMES, loadGatewayConfig } from './config.js';
import type { GatewayConfig, UpstreamName } from './config.js';
import { openApiDocument } from './openapi.js';
import { referenceRoutes } from './reference.js';
import { publicStatus } from './status.js';
import { UpstreamWarmup } from './warmup.js';
import { HOP_BY_HOP, UpstreamError } from './proxy.js';
import type { UpstreamResponse } from './proxy.js';
import { isPublic, matchRoute } from './routes.js';
import { Upstream } from './upstream.js';

export type { StartOptions };

/** In-process tests may also give the resolver that finds the pods of each upstream (discovery.ts). */
export interface GatewayStartOptions extends StartOptions {
  resolve?: Resolve;
}

export type RunningGateway = RunningService<{ upstreams: Map<UpstreamName, Upstream> }>;

function upstreamSpecs(config: GatewayConfig, name: UpstreamName): InstanceSpec[] {
  switch (name) {
    case 'auth':
      return config.UPSTREAM_AUTH;
    case 'kyc':
      return config.UPSTREAM_KYC;
    case 'notification':
      return config.UPSTREAM_NOTIFICATION;
    case 'analytics':
      return config.UPSTREAM_ANALYTICS;
    case 'frontend':
      return config.UPSTREAM_FRONTEND;
  }
}

/** What the web app's server reads of a request (frontend/web-app.ts): content negotiation and revalidation. */
const WEB_APP_REQUEST_HEADERS = ['accept', 'accept-encoding', 'if-none-match', 'sec-fetch-mode', 'user-agent'] as const;

/** Headers a client may not set: identity is the gateway's to assert. */
const CLIENT_FORBIDDEN = new Set([
  'x-user-id',
  'x-user-role',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-real-ip',
  'forwarded',
]);

/** Requests refused before routing, by reason (the edge's request targets, JSON nested too deeply). */
const refusedRequests = (metrics: Metrics) =>
  metrics.counter('kyc_gateway_refused_requests_total', 'Requests refused at the edge before routing', ['reason']);

export async function startGateway(options: GatewayStartOptions = {}): Promise<RunningGateway> {
  const config = loadGatewayConfig(options.env);
  const responseHeaders = { 'X-KYC-Version': config.KYC_VERSION };
  return startService({
    component: 'gateway',
    config,
    options,
    http: { parseJson: false, accessLogLevel: 'info', responseHeaders },
    // Every raw request target is checked by the server itself, before express (edge.ts).
    createServer: (app, { metrics, logger, tls }) =>
      guardedServer(app, {
        tls,
        responseHeaders,
        onRefused: (method, reason) => {
          refusedRequests(metrics).inc({ reason: 'request-target' });
          logger.debug({ method: method.slice(0, 10), reason }, 'request refused at the edge');
        },
      }),
    redis: { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}gw:` },
    // spec.loadBalancing, followed while the gateway runs (live-balancing.ts).
    liveSections: { [LOAD_BALANCING_SECTION]: parseLoadBalancing },
    wire: (wiring) => wireGateway(wiring, options.resolve),
  });
}

const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;

/** Upstreams (balancer and breaker each), rate limit, stale cache, and the /api/v1 proxy route. */
async function wireGateway(
  { config, service, redis, logger, closing, onShutdown, liveSettings }: Wiring<GatewayConfig>,
  resolve: Resolve | undefined,
): Promise<{ upstreams: Map<UpstreamName, Upstream> }> {
  const upstreams = new Map<UpstreamName, Upstream>();
  // ERROR while any upstream's breaker is open (its instances keep failing).
  service.setHealthChecks({ externalAPIs: () => [...upstreams.values()].every((upstream) => upstream.state() !== 'open') });
  const { metrics } = service;
  // The upstream pod is `endpoint`, never `instance`: that is Prometheus' own target label, and the
  // scrape would rename ours to exported_instance (docs/observability.md).
  const attempts = metrics.counter('kyc_gateway_upstream_requests_total', 'Requests sent to upstream instances by outcome', [
    'upstream',
    'endpoint',
    'outcome',
  ]);
  const fallbacks = metrics.counter('kyc_gateway_fallbacks_total', 'Requests answered by a fallback', ['upstream', 'kind']);
  const limited = metrics.counter('kyc_gateway_rate_limited_total', 'Requests refused by the rate limit');
  const refused = refusedRequests(metrics);
  const localLimits = metrics.counter(
    'kyc_gateway_rate_limit_local_total',
    'Rate-limit hits counted locally because Redis was unreachable',
  );
  for (const name of UPSTREAM_NAMES) {
    const specs = upstreamSpecs(config, name);
    if (specs.length === 0) continue;
    const upstream = new Upstream(name, specs, {
      strategy: config.LB_STRATEGY,
      sticky: config.LB_STICKY_SESSIONS,
      maxResponseBytes: config.GATEWAY_UPSTREAM_RESPONSE_LIMIT,
      breaker: {
        timeoutMs: config.BREAKER_TIMEOUT_MS,
        errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENTAGE,
        resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS,
        volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
        rollingWindowMs: config.BREAKER_ROLLING_WINDOW_MS,
      },
      onAttempt: (instance, outcome) => attempts.inc({ upstream: name, endpoint: instance.url, outcome }),
      // The pods of the upstream, found by DNS (docs/workloads.md, "Load balancing").
      ...(resolve && { resolve }),
      onInstances: ({ instances, added, removed }) =>
        logger.info({ upstream: name, instances: instances.length, added, removed }, 'upstream instances changed'),
      onDiscoveryError: (hostname, error) =>
        logger.warn({ upstream: name, hostname, err: error }, 'could not resolve the upstream; keeping its last instances'),
      // https upstreams: the platform's bundle as it is at each new connection (KYC_TLS_DIR, tls.ts).
      ...(service.tls && { trust: service.tls }),
    });
    upstream.breaker.on('open', () => logger.warn({ upstream: name }, 'circuit breaker open'));
    upstream.breaker.on('halfOpen', () => logger.info({ upstream: name }, 'circuit breaker half-open'));
    upstream.breaker.on('close', () => logger.info({ upstream: name }, 'circuit breaker closed'));
    upstreams.set(name, upstream);
  }
  // The policy in force before the first request, then swapped in every upstream at each change of the
  // live settings: instances, their in-flight counters and the sticky cookies' ids stay valid.
  followLoadBalancing(liveSettings, { strategy: config.LB_STRATEGY, sticky: config.LB_STICKY_SESSIONS }, (policy, previous) => {
    for (const upstream of upstreams.values()) upstream.balancer.configure(policy);
    const settings = { strategy: policy.strategy, stickySessions: policy.sticky };
    if (previous)
      logger.info({ ...settings, was: { strategy: previous.strategy, stickySessions: previous.sticky } }, 'load balancing changed');
    else logger.info(settings, 'load balancing in force');
  });
  // Not Ready until every upstream's first pod is found (warmup.ts): a preview gateway switched to
  // before it had found the preview auth pods answered 503 for a resolve interval.
  const warmup = new UpstreamWarmup(
    new Map(
      [...upstreams].map(([name, upstream]) => [
        name,
        { instanceCount: () => upstream.balancer.instances.length, lookAgain: () => upstream.discovery.suspect() },
      ]),
    ),
    {
      maxWaitMs: config.GATEWAY_UPSTREAM_WARMUP_MS,
      onOpen: (missing, waitedMs) =>
        missing.length === 0
          ? logger.info({ waitedMs }, 'every upstream has a pod; the gateway is ready')
          : logger.warn({ missing, waitedMs }, 'ready without a pod of these upstreams; their routes answer 503 until one appears'),
    },
  );
  service.lifecycle.holdReadiness(() => warmup.done());
  // A state set, as kube-state-metrics writes states: 1 for the breaker's current state, 0 for the others,
  // so `kyc_gateway_breaker_state{state="open"} == 1` selects and `for:` measures time open.
  metrics.gauge(
    'kyc_gateway_breaker_state',
    'Circuit breaker state per upstream: 1 for the current state',
    ['upstream', 'state'],
    (gauge) => {
      for (const [name, upstream] of upstreams)
        for (const state of BREAKER_STATES) gauge.set({ upstream: name, state }, upstream.state() === state ? 1 : 0);
    },
  );

  // The pods each upstream has now (discovery.ts), and how many of them sit out after failures.
  metrics.gauge(
    'kyc_gateway_upstream_instances',
    'Instances (pods) per upstream the gateway balances over, by state (ready, ejected)',
    ['upstream', 'state'],
    (gauge) => {
      for (const [name, upstream] of upstreams) {
        const ejected = upstream.balancer.instances.filter((instance) => upstream.balancer.isEjected(instance)).length;
        gauge.set({ upstream: name, state: 'ready' }, upstream.balancer.instances.length - ejected);
        gauge.set({ upstream: name, state: 'ejected' }, ejected);
      }
    },
  );
  metrics.gauge('kyc_gateway_upstream_active_requests', 'In-flight requests per upstream instance', ['upstream', 'endpoint'], (gauge) => {
    // Pods come and go: only the instances of now are reported.
    gauge.reset();
    for (const [name, upstream] of upstreams)
      for (const instance of upstream.balancer.instances) gauge.set({ upstream: name, endpoint: instance.url }, instance.active);
  });
  // Tokens are verified with auth's published keys and the platform's revocation list (auth-token.ts).
  const tokens = closing('token-verifier', await startTokenVerifier(config, logger, 'gateway', service.lifecycle, service.tls));
  onShutdown('upstreams', () => upstreams.forEach((upstream) => upstream.close()));

  // Counted locally and synced to Redis in batches while a client is far from its limit; exact (one
  // Redis round trip per request) near it; counted in this process alone while Redis is unreachable
  // (never "allow everything"). See BatchedRateLimiter.
  const rateLimiter =
    config.RATE_LIMIT_REQUESTS > 0
      ? new BatchedRateLimiter(redis, 'client', config.RATE_LIMIT_REQUESTS, config.RATE_LIMIT_WINDOW_MS, {
          onFallback: () => localLimits.inc(),
        })
      : undefined;
  // Runs before the Redis connection closes (closers run in reverse order).
  if (rateLimiter) onShutdown('rate-limit', () => rateLimiter.close());
  const staleCache = new StaleCache(redis, config.GATEWAY_CACHE_TTL_SECONDS);
  const cacheable = new Set(config.GATEWAY_CACHE_UPSTREAMS);
  const openapi = JSON.stringify(openApiDocument(config.KYC_VERSION));

  const clientIp = (req: Request): string =>
    clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.GATEWAY_TRUSTED_PROXIES);
  const overTls = (req: Request): boolean =>
    arrivedOverTls(
      (req.socket as { encrypted?: boolean }).encrypted === true,
      req.socket.remoteAddress,
      req.headers['x-forwarded-proto'],
      config.GATEWAY_TRUSTED_PROXIES,
    );

  const { app } = service;
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });
  // The readable reference of that document (Redoc, served from the image; public like the document).
  app.use(referenceRoutes());
  // Public, served in every mode (the mode gate lets it through): what users are told about reduced
  // service (docs/api.md, "Degradation"; what it reveals: docs/security.md).
  app.get(PUBLIC_STATUS_PATH, (_req, res) => {
    const reduced = [...upstreams].filter(([, upstream]) => upstream.isReduced()).map(([name]) => name);
    const servedReduced = [...upstreams.values()].flatMap((upstream) => upstream.reducedFeatures());
    res.json(publicStatus(liveSettings, config.KYC_VERSION, reduced, servedReduced));
  });
  // Bodies are read only when the request has one (Content-Length or Transfer-Encoding): the body
  // parser's stream set-up was a measurable share of a proxied GET.
  const rawBody = express.raw({ type: () => true, limit: config.GATEWAY_BODY_LIMIT });
  // The size limit answers 413 problem+json (body-parser's error, rendered by the problem handler).
  app.use('/api/v1', (req, res, next) => {
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    rawBody(req, res, next);
  });
  app.use('/api/v1', async (req, res) => {
    // The target passed edge.ts (the server's own check, before express): an origin-form path with no
    // dot-segments, so this is the path the upstream will see. It is routed, labelled and forwarded as
    // it is, never normalised.
    const path = `${req.baseUrl}${req.path}`;
    const route = matchRoute(path);
    res.locals.routeLabel = route ? route.label : 'unmatched';
    if (!route) throw notFound(`no route for ${req.method} ${path.slice(0, 200)}`);
    const name = route.upstream;
    const upstream = upstreams.get(name);
    if (!upstream) throw serviceUnavailable(30, `the ${name} service is not configured`);

    if (!isPublic(req.method, path)) {
      const token = bearerToken(req.header('authorization'));
      if (token === undefined)
        throw unauthorized(
          req.header('authorization') === undefined
            ? 'a Bearer access token is required'
            : 'the access token is malformed, expired or not valid',
        );
      req.principal = await tokens.verifier.principal(token);
    }
    const ip = clientIp(req);
    if (rateLimiter) {
      const client = req.principal ? `user:${req.principal.sub}` : `ip:${ip}`;
      const result = await rateLimiter.hit(client);
      res.setHeader('RateLimit-Limit', String(result.limit));
      res.setHeader('RateLimit-Remaining', String(Math.max(0, result.limit - result.count)));
      if (!result.allowed) {
        limited.inc();
        throw tooManyRequests(result.retryAfterSeconds, 'too many requests from this client');
      }
    }
    const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
    if (body && isJsonTooDeep(req.header('content-type'), body, config.GATEWAY_JSON_MAX_DEPTH)) {
      refused.inc({ reason: 'json-too-deep' });
      throw jsonTooDeep(config.GATEWAY_JSON_MAX_DEPTH);
    }

    const headers: OutgoingHttpHeaders = {};
    for (const [header, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(header) && !CLIENT_FORBIDDEN.has(header)) headers[header] = value;
    }
    const tls = overTls(req);
    headers['x-forwarded-for'] = ip;
    headers['x-forwarded-proto'] = tls ? 'https' : 'http';
    headers['x-request-id'] = req.id;
    if (req.principal) {
      headers['x-user-id'] = req.principal.sub;
      headers['x-user-role'] = req.principal.role;
    }
    const affinity = parseAffinity(readCookie(req.header('cookie'), config.LB_STICKY_COOKIE));
    const url = req.originalUrl;
    const pinned = affinity.get(name);
    try {
      const { response, instance } = await upstream.forward(
        { method: req.method, path: url, headers, ...(body && { body }) },
        { clientIp: ip, ...(pinned !== undefined && { affinity: pinned }) },
      );
      if (upstream.balancer.policy.sticky && pinned !== instance.id) {
        affinity.set(name, instance.id);
        // HttpOnly: no script needs it. SameSite=Strict: no other site's page makes a browser send it.
        // Secure whenever the client came over TLS (here, or at a trusted proxy that says so); over
        // plain HTTP (local development, the NodePort) a browser would drop a Secure cookie and
        // stickiness would silently stop, and the cookie carries only hashed instance ids — no
        // credential, nothing worth stealing on the wire.
        res.append(
          'Set-Cookie',
          `${config.LB_STICKY_COOKIE}=${formatAffinity(affinity)}; Path=/; HttpOnly; SameSite=Strict${tls ? '; Secure' : ''}`,
        );
      }
      if (req.principal && cacheable.has(name) && mayStore(route, req.method, response.status, response.headers)) {
        const contentType = response.headers['content-type'];
        staleCache
          .put(req.principal.sub, url, { status: 200, contentType, body: response.body.toString('utf8') })
          .catch((error: unknown) => req.log.debug({ err: error }, 'could not cache the response'));
      }
      relay(res, response);
    } catch (error) {
      await failed(req, res, name, upstream, url, route.personal, error);
    }
  });

  // The web app (docs/frontend.md, "How it runs"): every GET/HEAD outside /api/ goes to the frontend
  // component, which answers with the app's caching and Content-Security-Policy (relayed as they are). It
  // takes no token and no cookie (static public files: nothing of the client's identity goes there), and,
  // as before the app had a component of its own, no rate limit. With the component disabled there is no
  // upstream, and the app's paths answer 404 saying so; the API is unaffected.
  const frontend = upstreams.get('frontend');
  logger.info(frontend ? 'forwarding the web app to the frontend' : 'no frontend configured; serving the API only');
  app.use(async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path === '/api' || req.path.startsWith('/api/')) return next();
    res.locals.routeLabel = 'web-app';
    if (!frontend) throw notFound('the web app is not enabled on this platform (spec.components.frontend)');
    const ip = clientIp(req);
    const headers: OutgoingHttpHeaders = {};
    for (const header of WEB_APP_REQUEST_HEADERS) {
      const value = req.headers[header];
      if (value !== undefined) headers[header] = value;
    }
    headers['x-forwarded-for'] = ip;
    headers['x-forwarded-proto'] = overTls(req) ? 'https' : 'http';
    headers['x-request-id'] = req.id;
    const url = req.originalUrl;
    try {
      const { response } = await frontend.forward({ method: req.method, path: url, headers }, { clientIp: ip });
      relay(res, response);
    } catch (error) {
      await failed(req, res, 'frontend', frontend, url, false, error);
    }
  });

  /** An upstream's own answer when it gave one, 502 for one too large to relay, else the fallback. */
  async function failed(
    req: Request,
    res: Response,
    name: UpstreamName,
    upstream: Upstream,
    url: string,
    personal: boolean,
    error: unknown,
  ): Promise<void> {
    if (error instanceof UpstreamError && error.response) return relay(res, error.response);
    if (error instanceof UpstreamError && error.kind === 'too-large') {
      req.log.warn({ upstream: name, limit: config.GATEWAY_UPSTREAM_RESPONSE_LIMIT }, 'upstream answer too large; cut off');
      const problem = new ProblemError(502, `the ${name} service answered with more than ${config.GATEWAY_UPSTREAM_RESPONSE_LIMIT} bytes`, {
        extensions: { upstream: name },
      });
      return sendProblem(res, problem, url.split('?')[0], req.id);
    }
    await fallback(req, res, name, personal, upstream, url, error);
  }

  async function fallback(
    req: Request,
    res: Response,
    name: UpstreamName,
    personal: boolean,
    upstream: Upstream,
    url: string,
    error: unknown,
  ): Promise<void> {
    const open = upstream.state() === 'open';
    req.log.warn(
      { upstream: name, reason: (error as Error).message, breaker: upstream.state() },
      'upstream unavailable; using the fallback',
    );
    if (req.method === 'GET' && req.principal && cacheable.has(name) && !personal) {
      const cached = await staleCache.get(req.principal.sub, url).catch(() => undefined);
      if (cached) {
        fallbacks.inc({ upstream: name, kind: 'stale-cache' });
        res.status(cached.status);
        if (cached.contentType) res.setHeader('Content-Type', cached.contentType);
        res.setHeader('Warning', '110 kyc-gateway "Response is Stale"');
        res.setHeader('Age', String(Math.max(0, Math.round((Date.now() - cached.storedAt) / 1000))));
        res.setHeader('X-Cache', 'STALE');
        res.send(cached.body);
        return;
      }
    }
    fallbacks.inc({ upstream: name, kind: 'unavailable' });
    const retryAfter = open ? config.BREAKER_RESET_TIMEOUT_MS / 1000 : 1;
    // The type every "not now, retry" 503 carries (docs/problems/temporarily-unavailable.md).
    sendProblem(
      res,
      serviceUnavailable(retryAfter, `the ${name} service is unavailable; retry later`, { upstream: name }),
      url.split('?')[0],
      req.id,
    );
  }

  return { upstreams };
}

function relay(res: Response, response: UpstreamResponse): void {
  res.status(response.status);
  for (const [header, value] of Object.entries(response.headers)) {
    if (value === undefined || HOP_BY_HOP.has(header) || header === 'x-kyc-version') continue;
    if (header === 'set-cookie') res.append('Set-Cookie', value);
    else res.setHeader(header, value);
  }
  res.end(response.body);
}

export const main = (): Promise<void> => runUntilSignalled(() => startGateway());
