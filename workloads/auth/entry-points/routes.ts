// HTTP routes of the auth service (the gateway forwards /api/v1/auth/** and /api/v1/admin/** here
// unchanged). Routes parse, call a use case, and map the answer.
import { Router } from 'express';
import { z } from 'zod';
import { ROLES, parseOrProblem, requireRole } from '../../shared/index.js';
import type { Role } from '../../shared/index.js';
import type { UserRepository } from '../data-access/users.js';
import type { AuthService } from '../domain/auth-service.js';
import { publicUser } from '../domain/auth-service.js';

const email = z.string().trim().max(254).email('must be an email address');
const password = z.string().min(12, 'must be at least 12 characters').max(128, 'must be at most 128 characters');
const name = z.string().trim().min(1).max(200).optional();

export const registerBody = z.object({ email, password, name }).strict();
export const loginBody = z.object({ email: z.string().max(254), password: z.string().max(128) }).strict();
export const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) }).strict();
export const staffBody = z
  .object({ email, password, name, role: z.enum(ROLES.filter((r) => r !== 'customer') as [Role, ...Role[]]) })
  .strict();
export const listQuery = z.object({ role: z.enum(ROLES as [Role, ...Role[]]).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export function authRoutes(service: AuthService, users: UserRepository): Router {
  const router = Router();

  router.post('/api/v1/auth/register', async (req, res) => {
    const body = parseOrProblem(registerBody, req.body);
    const user = await service.register(body);
    res.status(201).location(`/api/v1/admin/users/${user.id}`).json(user);
  });

  router.post('/api/v1/auth/login', async (req, res) => {
    const body = parseOrProblem(loginBody, req.body);
    res.json(await service.login(body.email, body.password, clientAddress(req.header('x-forwarded-for'), req.socket.remoteAddress)));
  });

  router.post('/api/v1/auth/refresh', async (req, res) => {
    const body = parseOrProblem(refreshBody, req.body);
    res.json(await service.refresh(body.refreshToken));
  });

  router.post('/api/v1/auth/logout', async (req, res) => {
    const body = parseOrProblem(refreshBody, req.body);
    await service.logout(body.refreshToken);
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

  router.get('/api/v1/admin/users', requireRole('admin'), async (req, res) => {
    const query = parseOrProblem(listQuery, req.query, 'query');
    res.json({ items: (await users.list(query.limit, query.role)).map(publicUser) });
  });

  return router;
}

/**
 * The client for login rate limits: the first X-Forwarded-For entry (set by the gateway, the only
 * public entry; the network policy lets nothing else reach this service), else the socket address.
 */
export function clientAddress(forwardedFor: string | undefined, socketAddress: string | undefined): string {
  const first = forwardedFor?.split(',')[0]?.trim();
  return first && /^[0-9a-fA-F.:]{2,45}$/.test(first) ? first : (socketAddress ?? 'unknown');
}
