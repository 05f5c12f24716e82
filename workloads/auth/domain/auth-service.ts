// Use cases of the auth service: sign-up, login with per-account-and-address backoff, token refresh
// with rotation, reuse detection and an absolute login lifetime, logout, staff accounts and role
// changes by an admin (maker-checker separation), and the first admin at start-up. Logout, refresh
// reuse and role changes also revoke the access tokens already out (the shared revocation list), so
// they stop working everywhere within seconds rather than at their expiry.
import { randomUUID } from 'node:crypto';
import type { Role } from '../../shared/roles.js';
import { type AccountChange, refusalOf } from './account-changes.js';
import {
  AuthError,
  badCredentials,
  conflict,
  forbidden,
  lastAdmin,
  notFound,
  rateLimited,
  separationConflict,
  unauthenticated,
  unavailable,
  validationFailed,
} from './errors.js';
import type { PasswordHasher } from './passwords.js';
import type {
  AccessTokenSigner,
  AttemptLimiter,
  Counters,
  FailedLogins,
  Log,
  RefreshTokens,
  Revocation,
  Revocations,
  UserRecord,
  UserStore,
} from './ports.js';

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
  staffId?: string;
  /** Present (true) only on a disabled account: it cannot sign in. */
  disabled?: true;
}

export interface AuthDeps {
  users: UserStore;
  refreshTokens: RefreshTokens;
  revocations: Revocations;
  loginLimiter: AttemptLimiter;
  registrationLimiter: AttemptLimiter;
  backoff: FailedLogins;
  passwords: PasswordHasher;
  metrics: Counters;
  logger: Log;
  accessTokens: AccessTokenSigner;
  /** The life of an access token: how long a revocation must be remembered. */
  accessTtlSeconds: number;
}

/** Roles that review applications: one person holds at most one of them (maker-checker). */
export const REVIEW_ROLES: readonly Role[] = ['maker', 'checker'];

/** The same answer for every sign-up, new email or not (see register). */
export const REGISTRATION_ACCEPTED = {
  status: 'accepted',
  detail: 'If this email address can be used, the account is ready: sign in with it and the password you chose.',
} as const;

export const publicUser = (user: UserRecord): PublicUser => ({
  id: user.id,
  email: user.email,
  role: user.role,
  ...(user.name !== null && { name: user.name }),
  ...(user.staffId !== null && { staffId: user.staffId }),
  ...(user.disabled && { disabled: true as const }),
});

/** Redis or PostgreSQL failing under a use case: a 503 the client may retry, never a 500. */
function storeUnavailable(error: unknown): never {
  if (error instanceof AuthError) throw error;
  throw unavailable(5, 'the sign-in store is unavailable; try again shortly');
}

export class AuthService {
  // A hash to verify against when the account does not exist, so timing does not reveal accounts.
  private readonly decoyHash: Promise<string>;

  constructor(private readonly deps: AuthDeps) {
    this.decoyHash = deps.passwords.hash(randomUUID());
  }

  private counter(name: string, help: string): ReturnType<Counters['counter']> {
    return this.deps.metrics.counter(name, help, ['outcome']);
  }

  /**
   * Sign-up that does not tell whether the email already has an account: the password is hashed either
   * way (the same work, so similar timing), the insert simply does nothing for a taken email, and the
   * answer is the same 202 body. A real product sends the owner of a taken address an email ("someone
   * tried to sign up with your address") through the notification service; the API says nothing.
   */
  async register(input: { email: string; password: string; name?: string }, clientAddress: string): Promise<typeof REGISTRATION_ACCEPTED> {
    const rate = await this.deps.registrationLimiter.hit(clientAddress).catch(storeUnavailable);
    if (!rate.allowed) {
      this.counter('kyc_auth_registrations_total', 'Sign-ups by outcome').inc({ outcome: 'rate_limited' });
      throw rateLimited(rate.retryAfterSeconds, 'too many sign-ups from this client; try again later');
    }
    const passwordHash = await this.deps.passwords.hash(input.password);
    const outcome = await this.deps.users.insert({
      id: randomUUID(),
      email: input.email,
      passwordHash,
      role: 'customer',
      ...(input.name !== undefined && { name: input.name }),
    });
    this.counter('kyc_auth_registrations_total', 'Sign-ups by outcome').inc({ outcome: outcome === 'ok' ? 'created' : 'existing' });
    return REGISTRATION_ACCEPTED;
  }

  async createUser(input: {
    email: string;
    password: string;
    role: Role;
    name?: string;
    createdBy?: string;
    staffId?: string;
  }): Promise<PublicUser> {
    if (REVIEW_ROLES.includes(input.role) && input.staffId === undefined) {
      throw validationFailed(
        'staffId',
        'a maker or checker account needs the staff id of the person it belongs to (maker-checker separation)',
      );
    }
    const id = randomUUID();
    const passwordHash = await this.deps.passwords.hash(input.password);
    const outcome = await this.deps.users.insert({
      id,
      email: input.email,
      passwordHash,
      role: input.role,
      ...(input.name !== undefined && { name: input.name }),
      ...(input.createdBy !== undefined && { createdBy: input.createdBy }),
      ...(input.staffId !== undefined && { staffId: input.staffId }),
    });
    if (outcome === 'email') throw conflict('an account with this email already exists', 'email');
    if (outcome === 'staff-id') throw separationConflict(input.staffId ?? '');
    this.counter('kyc_auth_users_created_total', 'Accounts created by role').inc({ outcome: input.role });
    return {
      id,
      email: input.email,
      role: input.role,
      ...(input.name !== undefined && { name: input.name }),
      ...(input.staffId !== undefined && { staffId: input.staffId }),
    };
  }

  async login(email: string, password: string, clientAddress: string): Promise<TokenPair> {
    const logins = this.counter('kyc_auth_logins_total', 'Login attempts by outcome');
    const rate = await this.deps.loginLimiter.hit(clientAddress).catch(storeUnavailable);
    if (!rate.allowed) {
      logins.inc({ outcome: 'rate_limited' });
      throw rateLimited(rate.retryAfterSeconds, 'too many login attempts from this client; try again later');
    }
    // The backoff is checked before the password: while it runs, a guess is not even looked at.
    const waitMs = await this.deps.backoff.waitMs(email, clientAddress).catch(storeUnavailable);
    if (waitMs > 0) {
      logins.inc({ outcome: 'backoff' });
      throw rateLimited(Math.ceil(waitMs / 1000), 'too many failed sign-ins for this account from this client; wait before trying again');
    }
    const user = await this.deps.users.findByEmail(email).catch(storeUnavailable);
    const ok =
      user && !user.disabled
        ? await this.deps.passwords.verify(password, user.passwordHash)
        : (await this.deps.passwords.verify(password, await this.decoyHash), false);
    if (!user || !ok) {
      const delay = await this.deps.backoff.failed(email, clientAddress).catch(storeUnavailable);
      logins.inc({ outcome: 'failed' });
      throw badCredentials(Math.ceil(delay / 1000));
    }
    await this.deps.backoff.succeeded(email, clientAddress).catch(storeUnavailable);
    if (this.deps.passwords.needsRehash(user.passwordHash)) await this.rehash(user, password);
    const { token, familyId } = await this.deps.refreshTokens.issue(user.id, user.role).catch(storeUnavailable);
    logins.inc({ outcome: 'ok' });
    return this.tokensFor(user, token, familyId);
  }

  /** The password just verified, hashed again with today's parameters (a failure only waits for the next login). */
  private async rehash(user: UserRecord, password: string): Promise<void> {
    try {
      await this.deps.users.updatePasswordHash(user.id, user.passwordHash, await this.deps.passwords.hash(password));
      this.counter('kyc_auth_rehashes_total', 'Password hashes upgraded to the current parameters at login').inc({ outcome: 'ok' });
    } catch (error) {
      this.deps.logger.warn({ err: error, userId: user.id }, 'could not upgrade a password hash; the next login tries again');
    }
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const result = await this.deps.refreshTokens.rotate(refreshToken).catch(storeUnavailable);
    const refreshes = this.counter('kyc_auth_refreshes_total', 'Token refreshes by outcome');
    if (result.outcome === 'reused') {
      refreshes.inc({ outcome: 'reused' });
      this.deps.logger.warn({ userId: result.userId }, 'refresh token reused; its family and its access tokens are revoked');
      await this.revoke([this.sessionRevocation(result.familyId)]);
      throw unauthenticated('the refresh token was already used; sign in again');
    }
    if (result.outcome === 'expired') {
      refreshes.inc({ outcome: 'expired' });
      throw unauthenticated('this sign-in has reached its maximum lifetime; sign in again');
    }
    if (result.outcome === 'invalid') {
      refreshes.inc({ outcome: 'invalid' });
      throw unauthenticated('the refresh token is not valid');
    }
    const user = await this.deps.users.findById(result.userId).catch(storeUnavailable);
    if (!user || user.disabled) throw unauthenticated('the account is not active');
    refreshes.inc({ outcome: 'ok' });
    return this.tokensFor(user, result.token, result.familyId);
  }

  /**
   * Ends a login: its refresh family, every access token issued in it (by `sid`), and the access
   * token presented with the request (by `jti`, whichever login it came from).
   */
  async logout(refreshToken: string, accessToken?: { jti: string; expiresAtMs: number }): Promise<void> {
    const revoked = await this.deps.refreshTokens.revoke(refreshToken).catch(storeUnavailable);
    const entries: Revocation[] = [];
    if (revoked) entries.push(this.sessionRevocation(revoked.familyId));
    if (accessToken) entries.push({ kind: 'jti', id: accessToken.jti, until: accessToken.expiresAtMs });
    await this.revoke(entries);
  }

  /**
   * An admin changes a user's role. Every login of the user ends and every access token issued before
   * now stops working (a per-user cut-off), so the old role cannot be used for the rest of a token's
   * life. Making someone a maker or checker keeps maker-checker separation (one review role per staff id).
   * The bank keeps an active admin (docs/frontend.md, "The admin's pages"), and the change is audited.
   */
  async changeRole(actorId: string, userId: string, role: Role, staffId?: string): Promise<PublicUser> {
    if (actorId === userId) throw conflict('an admin cannot change their own role; ask another admin', 'id');
    const existing = await this.deps.users.findById(userId);
    if (!existing) throw notFound('no user with this id', 'id');
    if (REVIEW_ROLES.includes(role) && staffId === undefined && existing.staffId === null) {
      throw validationFailed(
        'staffId',
        'a maker or checker account needs the staff id of the person it belongs to (maker-checker separation)',
      );
    }
    const updated = await this.changeAccount(actorId, userId, { kind: 'role', role, ...(staffId !== undefined && { staffId }) });
    await this.revokeUser(userId);
    this.counter('kyc_auth_role_changes_total', 'Role changes by new role').inc({ outcome: role });
    this.deps.logger.info({ userId, role, by: actorId }, 'role changed; the user signs in again');
    return publicUser(updated);
  }

  /**
   * An admin disables an account (someone left the bank) or enables it again. Disabling ends every login
   * of the user at once, as a role change does; sign-in and refresh already refuse a disabled account.
   * An admin cannot disable themselves, nor the last active admin; the change is audited.
   */
  async setDisabled(actorId: string, userId: string, disabled: boolean): Promise<PublicUser> {
    if (actorId === userId) throw conflict('an admin cannot disable or enable their own account; ask another admin', 'id');
    const updated = await this.changeAccount(actorId, userId, { kind: disabled ? 'disable' : 'enable' });
    if (disabled) await this.revokeUser(userId);
    this.counter('kyc_auth_accounts_disabled_total', 'Accounts disabled or enabled by an admin').inc({
      outcome: disabled ? 'disabled' : 'enabled',
    });
    this.deps.logger.info({ userId, disabled, by: actorId }, disabled ? 'account disabled; its sign-ins end' : 'account enabled');
    return publicUser(updated);
  }

  /** The store's change under the admins' lock, its outcomes said as the use case's refusals. */
  private async changeAccount(actorId: string, userId: string, change: AccountChange): Promise<UserRecord> {
    const outcome = await this.deps.users.changeAccount({ actorId, userId, change }, (target, admins) =>
      refusalOf(actorId, target, change, admins),
    );
    if (outcome === undefined) throw notFound('no user with this id', 'id');
    if (outcome === 'last-admin') throw lastAdmin();
    if (outcome === 'not-admin') throw forbidden('only an active admin may change staff accounts');
    if (outcome === 'staff-id') {
      const staffId = change.kind === 'role' ? change.staffId : undefined;
      throw separationConflict(staffId ?? (await this.deps.users.findById(userId))?.staffId ?? '');
    }
    return outcome;
  }

  /** Ends every login of the user and cuts off every access token issued until now. */
  async revokeUser(userId: string, nowMs = Date.now()): Promise<void> {
    const families = await this.deps.refreshTokens.revokeUser(userId).catch(storeUnavailable);
    await this.revoke([
      { kind: 'user', id: userId, cutoff: nowMs, until: nowMs + this.deps.accessTtlSeconds * 1000 },
      ...families.map((f) => this.sessionRevocation(f)),
    ]);
  }

  private sessionRevocation(familyId: string): Revocation {
    return { kind: 'sid', id: familyId, until: Date.now() + this.deps.accessTtlSeconds * 1000 };
  }

  private async revoke(entries: Revocation[]): Promise<void> {
    await this.deps.revocations.revoke(entries).catch(storeUnavailable);
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
      if (!(error instanceof AuthError && (error.kind === 'conflict' || error.kind === 'separation'))) throw error;
    }
  }

  private tokensFor(user: UserRecord, refreshToken: string, familyId: string): TokenPair {
    const accessToken = this.deps.accessTokens.sign({ sub: user.id, role: user.role }, familyId);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.deps.accessTtlSeconds, user: publicUser(user) };
  }
}
