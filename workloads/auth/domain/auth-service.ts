// Use cases of the auth service: sign-up, login with lockout, token refresh with rotation, logout,
// staff accounts created by an admin, and the first admin at start-up.
import { randomUUID } from 'node:crypto';
import { ProblemError, conflict, signAccessToken, tooManyRequests, unauthorized } from '../../shared/index.js';
import type { Logger, Metrics, RateLimiter, Redis, Role } from '../../shared/index.js';
import type { RefreshTokenStore } from '../data-access/refresh-tokens.js';
import type { UserRecord, UserRepository } from '../data-access/users.js';
import { hashPassword, verifyPassword } from './passwords.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: PublicUser;
}

export interface PublicUser {
  id: string;
  email: string;
  role: Role;
  name?: string;
}

export interface AuthDeps {
  users: UserRepository;
  refreshTokens: RefreshTokenStore;
  redis: Redis;
  loginLimiter: RateLimiter;
  metrics: Metrics;
  logger: Logger;
  jwtSecret: string;
  accessTtlSeconds: number;
  maxFailedLogins: number;
  lockoutSeconds: number;
  scryptCost: number;
}

export const publicUser = (user: UserRecord): PublicUser => ({
  id: user.id,
  email: user.email,
  role: user.role,
  ...(user.name !== null && { name: user.name }),
});

export class AuthService {
  // A hash to verify against when the account does not exist, so timing does not reveal accounts.
  private decoyHash: Promise<string>;

  constructor(private readonly deps: AuthDeps) {
    this.decoyHash = hashPassword(randomUUID(), deps.scryptCost);
  }

  private counter(name: string, help: string): ReturnType<Metrics['counter']> {
    return this.deps.metrics.counter(name, help, ['outcome']);
  }

  async register(input: { email: string; password: string; name?: string }): Promise<PublicUser> {
    return this.createUser({ ...input, role: 'customer' });
  }

  async createUser(input: { email: string; password: string; role: Role; name?: string; createdBy?: string }): Promise<PublicUser> {
    const id = randomUUID();
    const passwordHash = await hashPassword(input.password, this.deps.scryptCost);
    const inserted = await this.deps.users.insert({ id, email: input.email, passwordHash, role: input.role, ...(input.name !== undefined && { name: input.name }), ...(input.createdBy !== undefined && { createdBy: input.createdBy }) });
    if (!inserted) throw conflict('an account with this email already exists', 'email');
    this.counter('kyc_auth_users_created_total', 'Accounts created by role').inc({ outcome: input.role });
    return { id, email: input.email, role: input.role, ...(input.name !== undefined && { name: input.name }) };
  }

  async login(email: string, password: string, clientAddress: string): Promise<TokenPair> {
    const logins = this.counter('kyc_auth_logins_total', 'Login attempts by outcome');
    const rate = await this.deps.loginLimiter.hit(clientAddress);
    if (!rate.allowed) {
      logins.inc({ outcome: 'rate_limited' });
      throw tooManyRequests(rate.retryAfterSeconds, 'too many login attempts from this client; try again later');
    }
    const account = email.toLowerCase();
    const lockTtl = await this.deps.redis.ttl(`lock:${account}`);
    if (lockTtl > 0) {
      logins.inc({ outcome: 'locked' });
      throw new ProblemError(423, 'the account is temporarily locked after repeated failed logins', { headers: { 'Retry-After': String(lockTtl) } });
    }
    const user = await this.deps.users.findByEmail(email);
    const ok = user && !user.disabled ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await this.decoyHash), false);
    if (!user || !ok) {
      const failures = await this.deps.redis.multi().incr(`fail:${account}`).expire(`fail:${account}`, this.deps.lockoutSeconds).exec();
      const count = Number(failures?.[0]?.[1] ?? 0);
      if (count >= this.deps.maxFailedLogins) {
        await this.deps.redis.multi().set(`lock:${account}`, '1', 'EX', this.deps.lockoutSeconds).del(`fail:${account}`).exec();
        this.deps.logger.warn({ userId: user?.id }, 'account locked after repeated failed logins');
      }
      logins.inc({ outcome: 'failed' });
      throw unauthorized('the email or password is wrong');
    }
    await this.deps.redis.del(`fail:${account}`);
    logins.inc({ outcome: 'ok' });
    return this.tokensFor(user, await this.deps.refreshTokens.issue(user.id, user.role));
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const result = await this.deps.refreshTokens.rotate(refreshToken);
    const refreshes = this.counter('kyc_auth_refreshes_total', 'Token refreshes by outcome');
    if (result.outcome === 'reused') {
      refreshes.inc({ outcome: 'reused' });
      this.deps.logger.warn({ userId: result.userId }, 'refresh token reused; its family is revoked');
      throw unauthorized('the refresh token was already used; sign in again');
    }
    if (result.outcome === 'invalid') {
      refreshes.inc({ outcome: 'invalid' });
      throw unauthorized('the refresh token is not valid');
    }
    const user = await this.deps.users.findById(result.userId);
    if (!user || user.disabled) throw unauthorized('the account is not active');
    refreshes.inc({ outcome: 'ok' });
    return this.tokensFor(user, result.token);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.deps.refreshTokens.revoke(refreshToken);
  }

  /** Creates the first admin when no admin exists (idempotent; safe on concurrent starts). */
  async ensureAdmin(email: string, password: string): Promise<void> {
    if ((await this.deps.users.countByRole('admin')) > 0) return;
    const existing = await this.deps.users.findByEmail(email);
    if (existing) return;
    try {
      await this.createUser({ email, password, role: 'admin' });
      this.deps.logger.info('first admin account created');
    } catch (error) {
      if (!(error instanceof ProblemError && error.status === 409)) throw error;
    }
  }

  private async tokensFor(user: UserRecord, refreshToken: string): Promise<TokenPair> {
    const accessToken = await signAccessToken({ sub: user.id, role: user.role }, this.deps.jwtSecret, this.deps.accessTtlSeconds);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.deps.accessTtlSeconds, user: publicUser(user) };
  }
}
