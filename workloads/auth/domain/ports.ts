// What the auth use cases need from the outside world, owned by the domain: data-access implements the
// stores (PostgreSQL, Redis), main.ts wires them. Nothing here knows of a driver or of HTTP.
import type { Role } from '../../shared/roles.js';

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
  /** undefined when there is no such user; `staff-id` when the staff id already holds a review role. */
  updateRole(id: string, role: Role, staffId?: string): Promise<UserRecord | 'staff-id' | undefined>;
  /**
   * Disables (sign-ins refused) or enables an account; undefined when there is no such user, `staff-id`
   * when enabling it would give its staff id a second active review role.
   */
  setDisabled(id: string, disabled: boolean): Promise<UserRecord | 'staff-id' | undefined>;
  countByRole(role: Role): Promise<number>;
  list(limit: number, role?: Role): Promise<UserRecord[]>;
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
