// Which upstream serves which public path, and which routes need no token. The gateway forwards
// paths unchanged (upstreams serve the same /api/v1/... paths).
import type { UpstreamName } from './config.js';

const TABLE: Array<[prefix: string, upstream: UpstreamName]> = [
  ['/api/v1/auth', 'auth'],
  ['/api/v1/admin', 'auth'],
  ['/api/v1/applications', 'kyc'],
  ['/api/v1/review', 'kyc'],
  ['/api/v1/notifications', 'notification'],
  ['/api/v1/analytics', 'analytics'],
];

export function upstreamFor(path: string): UpstreamName | undefined {
  for (const [prefix, upstream] of TABLE) if (path === prefix || path.startsWith(`${prefix}/`)) return upstream;
  return undefined;
}

const PUBLIC = new Set(['POST /api/v1/auth/register', 'POST /api/v1/auth/login', 'POST /api/v1/auth/refresh', 'POST /api/v1/auth/logout']);

export function isPublic(method: string, path: string): boolean {
  return PUBLIC.has(`${method} ${path.replace(/\/+$/, '')}`);
}

/** A metrics label without ids: /api/v1/applications/3f2c.../submit → /api/v1/applications/:id/submit. */
export function routeTemplate(path: string): string {
  return path
    .split('/')
    .map((segment) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) || /^\d+$/.test(segment) || segment.length > 40 ? ':id' : segment))
    .slice(0, 8)
    .join('/');
}
