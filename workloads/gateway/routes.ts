// The gateway's route table: which upstream serves which public path, which operations need no
// token, and the fixed set of route names that label metrics. The gateway forwards paths unchanged
// (upstreams serve the same /api/v1/... paths).
import type { UpstreamName } from './config.js';

interface Prefix {
  prefix: string;
  upstream: UpstreamName;
  /**
   * Whether answers under this prefix may hold personal data (names, PAN, Aadhaar, addresses,
   * documents, e-mail addresses, the text of messages to a person). The stale cache never stores them:
   * it lives in Redis, shared by every gateway replica and readable by whoever reads Redis, for
   * minutes — decrypted PII there undoes the encryption at rest the services keep. Sealing the entries
   * would need the PII key ring in the gateway, which then could decrypt everything; not caching them
   * costs only the stale fallback for these routes (a 503 + Retry-After instead).
   */
  personal: boolean;
  /** The operations under the prefix, as `/api/v1/x/:param` patterns (the labels of metrics). */
  routes: string[];
}

const TABLE: Prefix[] = [
  {
    prefix: '/api/v1/auth',
    upstream: 'auth',
    personal: true,
    routes: ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/auth/me'],
  },
  {
    prefix: '/api/v1/admin',
    upstream: 'auth',
    personal: true,
    routes: ['/api/v1/admin/users', '/api/v1/admin/users/:id/role', '/api/v1/admin/users/:id/disable', '/api/v1/admin/users/:id/enable'],
  },
  {
    prefix: '/api/v1/applications',
    upstream: 'kyc',
    personal: true,
    routes: [
      '/api/v1/applications',
      '/api/v1/applications/:id',
      '/api/v1/applications/:id/documents',
      '/api/v1/applications/:id/documents/:documentId',
      '/api/v1/applications/:id/submit',
      '/api/v1/applications/:id/cancel',
      '/api/v1/applications/:id/consent/withdraw',
    ],
  },
  {
    prefix: '/api/v1/review',
    upstream: 'kyc',
    personal: true,
    routes: [
      '/api/v1/review/queue',
      '/api/v1/review/:id/recommend',
      '/api/v1/review/:id/request-resubmission',
      '/api/v1/review/:id/approve',
      '/api/v1/review/:id/reject',
      '/api/v1/review/:id/return',
    ],
  },
  // DPDP erasure requests (docs/retention.md): the customer's own, or an admin's for a named customer.
  {
    prefix: '/api/v1/erasure-requests',
    upstream: 'kyc',
    personal: true,
    routes: ['/api/v1/erasure-requests', '/api/v1/erasure-requests/:id'],
  },
  // Legal holds stop erasure for a customer (docs/retention.md): admins only.
  { prefix: '/api/v1/legal-holds', upstream: 'kyc', personal: true, routes: ['/api/v1/legal-holds/:customerId'] },
  // The bank's systems say a customer relationship ended: its KYC records' five-year clock starts (docs/retention.md); admins only.
  { prefix: '/api/v1/customers', upstream: 'kyc', personal: true, routes: ['/api/v1/customers/:customerId/relationship-end'] },
  {
    prefix: '/api/v1/notifications',
    upstream: 'notification',
    personal: true,
    routes: [
      '/api/v1/notifications',
      '/api/v1/notifications/contact',
      '/api/v1/notifications/webhooks',
      '/api/v1/notifications/webhooks/:id',
      '/api/v1/notifications/webhooks/:id/ping',
      '/api/v1/notifications/webhooks/:id/dead-deliveries',
      '/api/v1/notifications/webhooks/:id/redeliver',
    ],
  },
  // Counts of events by type and day: no person in them.
  { prefix: '/api/v1/analytics', upstream: 'analytics', personal: false, routes: ['/api/v1/analytics/summary'] },
];

export interface RouteMatch {
  upstream: UpstreamName;
  /** `kyc:/api/v1/applications/:id`, or `kyc:/api/v1/applications/*` for a path the table does not list. */
  label: string;
  personal: boolean;
}

/** The literal segments of each pattern, with `undefined` for a parameter. */
const COMPILED = TABLE.map((entry) => ({
  ...entry,
  patterns: entry.routes.map((route) => ({
    route,
    segments: route.split('/').map((segment) => (segment.startsWith(':') ? undefined : segment)),
  })),
}));

/** The route-table entry for a (validated, normalised) path, if any. */
export function matchRoute(path: string): RouteMatch | undefined {
  for (const entry of COMPILED) {
    if (path !== entry.prefix && !path.startsWith(`${entry.prefix}/`)) continue;
    const segments = path.split('/');
    const pattern = entry.patterns.find(
      (p) => p.segments.length === segments.length && p.segments.every((literal, i) => literal === undefined || literal === segments[i]),
    );
    // A path under the prefix the table does not list still goes to its upstream (which answers 404 or
    // serves a route added after this table); its label is the prefix, never the path.
    return {
      upstream: entry.upstream,
      label: `${entry.upstream}:${pattern ? pattern.route : `${entry.prefix}/*`}`,
      personal: entry.personal,
    };
  }
  return undefined;
}

/** The upstreams with at least one route free of personal data (the only ones the stale cache may serve). */
export function upstreamsWithImpersonalRoutes(): UpstreamName[] {
  return [...new Set(TABLE.filter((entry) => !entry.personal).map((entry) => entry.upstream))];
}

export function upstreamFor(path: string): UpstreamName | undefined {
  return matchRoute(path)?.upstream;
}

/** Every metrics label the gateway's proxied routes can have (plus `unmatched` for the rest). */
export function routeLabels(): string[] {
  return COMPILED.flatMap((entry) => [...entry.routes.map((route) => `${entry.upstream}:${route}`), `${entry.upstream}:${entry.prefix}/*`]);
}

const PUBLIC = new Set(['POST /api/v1/auth/register', 'POST /api/v1/auth/login', 'POST /api/v1/auth/refresh', 'POST /api/v1/auth/logout']);

export function isPublic(method: string, path: string): boolean {
  return PUBLIC.has(`${method} ${path}`);
}
