// Users in PostgreSQL (schema `auth`).
import { pageOf, withTransaction } from '../../shared/index.js';
import type { Page, Pool, PoolClient } from '../../shared/index.js';
import type { Role } from '../../shared/roles.js';
import type { AccountChange, ChangeRefusal } from '../domain/account-changes.js';
import type { InsertOutcome, NewUser, UserRecord, UserStore } from '../domain/ports.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  role: Role;
  name: string | null;
  staff_id: string | null;
  created_at: Date;
  disabled_at: Date | null;
}

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  email: row.email,
  passwordHash: row.password_hash,
  role: row.role,
  name: row.name,
  staffId: row.staff_id,
  createdAt: row.created_at,
  disabled: row.disabled_at !== null,
});

export class UserRepository implements UserStore {
  constructor(private readonly pool: Pool) {}

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM auth.users WHERE lower(email) = lower($1)', [email]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    // Ids come from tokens other services may mint in tests or tools; a non-uuid is simply unknown.
    if (!UUID.test(id)) return undefined;
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM auth.users WHERE id = $1', [id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /**
   * Inserts the user; `email` when the email is taken, `staff-id` when the staff id already has an
   * active maker or checker account (maker-checker separation), else `ok`.
   */
  async insert(user: NewUser): Promise<InsertOutcome> {
    const result = await this.pool.query(
      `INSERT INTO auth.users (id, email, password_hash, role, name, created_by, staff_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING`,
      [user.id, user.email, user.passwordHash, user.role, user.name ?? null, user.createdBy ?? null, user.staffId ?? null],
    );
    if (result.rowCount === 1) return 'ok';
    return (await this.findByEmail(user.email)) ? 'email' : 'staff-id';
  }

  async changeAccount(
    { actorId, userId, change }: { actorId: string; userId: string; change: AccountChange },
    judge: (target: UserRecord, activeAdminIds: readonly string[]) => ChangeRefusal | undefined,
  ): Promise<UserRecord | 'staff-id' | ChangeRefusal | undefined> {
    if (!UUID.test(userId)) return undefined;
    try {
      return await withTransaction(this.pool, async (client) => {
        // Every active admin locked, in id order (two changes never deadlock): a concurrent change that
        // removes an admin waits here and then sees it gone, so the judge never counts a removed admin.
        const admins = await client.query<{ id: string }>(
          "SELECT id FROM auth.users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE",
        );
        const found = await client.query<UserRow>('SELECT * FROM auth.users WHERE id = $1 FOR UPDATE', [userId]);
        if (!found.rows[0]) return undefined;
        const before = toUser(found.rows[0]);
        const refusal = judge(
          before,
          admins.rows.map((r) => r.id),
        );
        if (refusal !== undefined) return refusal;
        const after = await applyChange(client, userId, change);
        await client.query(
          `INSERT INTO auth.account_changes (actor_id, user_id, action, role_before, role_after, staff_id_before, staff_id_after)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [actorId, userId, change.kind, before.role, after.role, before.staffId, after.staffId],
        );
        return after;
      });
    } catch (error) {
      // users_one_review_role_per_person: the staff id already has another active maker or checker account.
      if ((error as { code?: string }).code === '23505') return 'staff-id';
      throw error;
    }
  }

  /** Replaces a hash made with older parameters (only if it is still the one that was verified). */
  async updatePasswordHash(id: string, previous: string, next: string): Promise<void> {
    await this.pool.query('UPDATE auth.users SET password_hash = $3 WHERE id = $1 AND password_hash = $2', [id, previous, next]);
  }

  async countByRole(role: Role): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM auth.users WHERE role = $1 AND disabled_at IS NULL', [
      role,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  async list(limit: number, role?: Role, after?: string): Promise<Page<UserRecord>> {
    // The cursor's own row gives the position, as the review queue's does (shared/paging.ts).
    const { rows } = await this.pool.query<UserRow>(
      `SELECT * FROM auth.users
        WHERE ($1::text IS NULL OR role = $1)
          AND ($3::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM auth.users WHERE id = $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [role ?? null, limit + 1, after ?? null],
    );
    return pageOf(rows.map(toUser), limit);
  }
}

async function applyChange(client: PoolClient, id: string, change: AccountChange): Promise<UserRecord> {
  const { rows } =
    change.kind === 'role'
      ? await client.query<UserRow>('UPDATE auth.users SET role = $2, staff_id = COALESCE($3, staff_id) WHERE id = $1 RETURNING *', [
          id,
          change.role,
          change.staffId ?? null,
        ])
      : // COALESCE: disabling twice keeps the first time it was disabled.
        await client.query<UserRow>(
          'UPDATE auth.users SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) END WHERE id = $1 RETURNING *',
          [id, change.kind === 'disable'],
        );
  return toUser(rows[0] as UserRow);
}
