// What the auth use cases need from the outside world, owned by the domain: data-access implements the
// stores (PostgreSQL, Redis), main.ts wires them. Nothing here knows of a driver or of HTTP.
import type { Page } from '../../shared/paging.js';
import type { Role } from '../../shared/roles.js';
import type { AccountChange, ChangeRefusal } from './account-changes.js';

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  name: string | null;
  staffId: string | null;
  createdAt: Date;
  disabled: boolean;
}

export interface NewUser {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  name?: string;
  createdBy?: string;
  staffId?: string;
}

/** `email` when the email is taken, `staff-id` when the staff id already holds a review role. */
export type InsertOutcome = 'ok' | 'email' | 'staff-id';

export interface UserStore {
  findByEmail(email: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  insert(user: NewUser): Promise<InsertOutcome>;
  /** Replaces the hash only while it is still `previousHash` (a concurrent change wins). */
  updatePasswordHash(id: string, previousHash: string, passwordHash: string): Promise<void>;
  /**
   * An admin's change of another account, in one transaction: the active admins are locked, `judge`
   * decides on them and the account as it is, and the change is written with its audit row. undefined
   * when there is no such user; `staff-id` when the change would give the staff id a second active
   * review role (maker-checker separation); the judge's refusal as it said it.
   */
  changeAccount(
    change: { actorId: string; userId: string; change: AccountChange },
    judge: (target: UserRecord, activeAdminIds: readonly string[]) => ChangeRefusal | undefined,
  ): Promise<UserRecord | 'staff-id' | ChangeRefusal | undefined>;
  countByRole(role: Role): Promise<number>;
  /** Newest first; `after` is the `next` of the page before (keyset on the creation time and id). */
  list(limit: number, role?: Role, after?: string): Promise<Page<UserRecord>>;
}

export type RotateResult =
  | { outcome: 'rotated'; token: string; userId: string; role: Role; familyId: string }
  | { outcome: 'invalid' }
  | { outcome: 'expired'; userId: string }
  | { outcome: 'reused'; userId: string; familyId: string };

/** Refresh tokens in families (one family per login). */
export interface RefreshTokens {
  issue(userId: string, role: Role): Promise<{ token: string; familyId: string }>;
  rotate(token: string): Promise<RotateResult>;
  revoke(token: string): Promise<{ familyId: string; userId: string } | undefined>;
  /** Revokes every family of the user; returns their ids. */
  revokeUser(userId: string): Promise<string[]>;
}

/** An entry of the shared revocation list (times in epoch ms). */
export type Revocation =
  | { kind: 'jti'; id: string; until: number }
  | { kind: 'sid'; id: string; until: number }
  | { kind: 'user'; id: string; cutoff: number; until: number };

export interface Revocations {
  revoke(entries: readonly Revocation[]): Promise<void>;
}

export interface AttemptLimiter {
  hit(id: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

/** Failed-login backoff per account and client address. */
export interface FailedLogins {
  /** Milliseconds this account+address must still wait (0 = may try). */
  waitMs(account: string, address: string): Promise<number>;
  /** Records a failure; returns the delay now imposed. */
  failed(account: string, address: string): Promise<number>;
  succeeded(account: string, address: string): Promise<void>;
}

export interface AccessTokenSigner {
  /** A signed access token for the user, bound to the login (`sid`). */
  sign(claims: { sub: string; role: Role }, sid: string): string;
}

export interface Counters {
  counter(name: string, help: string, labelNames: string[]): { inc(labels: Record<string, string>): void };
}

export interface Log {
  info(fields: object, message: string): void;
  info(message: string): void;
  warn(fields: object, message: string): void;
}
