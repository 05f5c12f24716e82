// Users in PostgreSQL (schema `auth`).
import type { Pool } from '../../shared/index.js';
import type { Role } from '../../shared/roles.js';
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

  /** Changes a user's role; undefined when unknown, `staff-id` when it would break maker-checker separation. */
  async updateRole(id: string, role: Role, staffId?: string): Promise<UserRecord | 'staff-id' | undefined> {
    if (!UUID.test(id)) return undefined;
    try {
      const { rows } = await this.pool.query<UserRow>(
        'UPDATE auth.users SET role = $2, staff_id = COALESCE($3, staff_id) WHERE id = $1 RETURNING *',
        [id, role, staffId ?? null],
      );
      return rows[0] ? toUser(rows[0]) : undefined;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return 'staff-id';
      throw error;
    }
  }

  async setDisabled(id: string, disabled: boolean): Promise<UserRecord | 'staff-id' | undefined> {
    if (!UUID.test(id)) return undefined;
    try {
      // COALESCE: disabling twice keeps the first time it was disabled.
      const { rows } = await this.pool.query<UserRow>(
        'UPDATE auth.users SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) END WHERE id = $1 RETURNING *',
        [id, disabled],
      );
      return rows[0] ? toUser(rows[0]) : undefined;
    } catch (error) {
      // Enabling: the staff id got another active maker or checker account meanwhile (users_one_review_role_per_person).
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

  async list(limit: number, role?: Role): Promise<UserRecord[]> {
    const { rows } = await this.pool.query<UserRow>(
      'SELECT * FROM auth.users WHERE ($1::text IS NULL OR role = $1) ORDER BY created_at DESC LIMIT $2',
      [role ?? null, limit],
    );
    return rows.map(toUser);
  }
}
