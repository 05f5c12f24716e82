// HTTP routes of the auth service (the gateway forwards /api/v1/auth/** and /api/v1/admin/** here
// unchanged; the JWKS is read by the other services directly). Routes parse, call a use case, and
// map the answer.
import { Router } from 'express';
import { z } from 'zod';
import { ID_CURSOR, ROLES, bearerToken, parseOrProblem, requireRole } from '../../shared/index.js';
import type { PublicJwk, Role, TokenVerifier } from '../../shared/index.js';
import type { AuthService } from '../domain/auth-service.js';
import { publicUser } from '../domain/auth-service.js';
import type { UserStore } from '../domain/ports.js';
import { authErrors } from './errors.js';

// z.string().email() rather than z.email(): the latter checks the format before .trim() runs, so
// ' a@example.com ' would be refused instead of trimmed.
const email = z.string().trim().max(254).email('must be an email address');
const password = z.string().min(12, 'must be at least 12 characters').max(128, 'must be at most 128 characters');
const name = z.string().trim().min(1).max(200).optional();
/** The bank's identifier of a staff member: one person, one maker-or-checker account. */
const staffId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
const staffRole = z.enum(ROLES.filter((r) => r !== 'customer') as [Role, ...Role[]]);

export const registerBody = z.object({ email, password, name }).strict();
export const loginBody = z.object({ email: z.string().max(254), password: z.string().max(128) }).strict();
export const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) }).strict();
export const staffBody = z.object({ email, password, name, role: staffRole, staffId: staffId.optional() }).strict();
export const roleBody = z.object({ role: z.enum(ROLES as [Role, ...Role[]]), staffId: staffId.optional() }).strict();
export const listQuery = z.object({
  role: z.enum(ROLES as [Role, ...Role[]]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().regex(ID_CURSOR, 'must be the `next` of the previous page').optional(),
});
// z.guid(), not z.uuid(): any 8-4-4-4-12 hex id is looked up (and answers 404 if unknown), as before
// zod 4 made z.uuid() check the RFC 9562 version and variant digits.
const userPath = z.object({ id: z.guid('must be a user id') });

/** Public keys only, cached briefly: a new key is picked up by browsers/tools within a minute. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** Auth's public keys for the other services (not under /api/v1: the gateway never routes it). */
export function jwksRoutes(jwks: { keys: PublicJwk[] }): Router {
  const router = Router();
  router.get(JWKS_PATH, (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.json(jwks);
  });
  return router;
}

export function authRoutes(service: AuthService, users: UserStore, verifier: TokenVerifier): Router {
  const router = Router();

  router.post('/api/v1/auth/register', async (req, res) => {
    const body = parseOrProblem(registerBody, req.body);
    res.status(202).json(await service.register(body, clientAddress(req.header('x-forwarded-for'), req.socket.remoteAddress)));
  });

  router.post('/api/v1/auth/login', async (req, res) => {
    const body = parseOrProblem(loginBody, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await service.login(body.email, body.password, clientAddress(req.header('x-forwarded-for'), req.socket.remoteAddress)));
  });

  router.post('/api/v1/auth/refresh', async (req, res) => {
    const body = parseOrProblem(refreshBody, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await service.refresh(body.refreshToken));
  });

  router.post('/api/v1/auth/logout', async (req, res) => {
    const body = parseOrProblem(refreshBody, req.body);
    const accessToken = bearerToken(req.header('authorization'));
    const handle = accessToken !== undefined ? verifier.handle(accessToken) : undefined;
    await service.logout(body.refreshToken, handle);
    res.status(204).end();
  });

  router.get('/api/v1/auth/me', requireRole(...ROLES), async (req, res) => {
    const user = await users.findById(req.principal?.sub ?? '');
    res.json(user ? publicUser(user) : { id: req.principal?.sub, role: req.principal?.role });
  });

  router.post('/api/v1/admin/users', requireRole('admin'), async (req, res) => {
    const body = parseOrProblem(staffBody, req.body);
    const user = await service.createUser({ ...body, createdBy: req.principal?.sub ?? '' });
    res.status(201).location(`/api/v1/admin/users/${user.id}`).json(user);
  });

  router.post('/api/v1/admin/users/:id/role', requireRole('admin'), async (req, res) => {
    const { id } = parseOrProblem(userPath, req.params, 'path');
    const body = parseOrProblem(roleBody, req.body);
    res.json(await service.changeRole(req.principal?.sub ?? '', id, body.role, body.staffId));
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    router.post(`/api/v1/admin/users/:id/${action}`, requireRole('admin'), async (req, res) => {
      const { id } = parseOrProblem(userPath, req.params, 'path');
      res.json(await service.setDisabled(req.principal?.sub ?? '', id, disabled));
    });
  }

  router.get('/api/v1/admin/users', requireRole('admin'), async (req, res) => {
    const query = parseOrProblem(listQuery, req.query, 'query');
    const page = await users.list(query.limit, query.role, query.after);
    res.json({ items: page.items.map(publicUser), ...(page.next !== undefined && { next: page.next }) });
  });

  router.use(authErrors);
  return router;
}

/**
 * The client for login and sign-up limits: the X-Forwarded-For the gateway sets (the only public
 * entry; it replaces whatever a client sent with the address it resolved from its trusted proxies, and
 * the network policy lets nothing else reach this service), else the socket address.
 */
export function clientAddress(forwardedFor: string | undefined, socketAddress: string | undefined): string {
  const first = forwardedFor?.split(',')[0]?.trim();
  return first && /^[0-9a-fA-F.:]{2,45}$/.test(first) ? first : (socketAddress ?? 'unknown');
}
