// Applications whose PII waits for the KMS (docs/security.md, "Writes while the KMS is away"): an
// application is parked while a row of its PII names a parked data key (key_id `pk-…`); its held checks
// are the rows of parked_applications (migration `pii_parking`).
import { ident } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';
import type { ParkedApplications } from '../domain/ports.js';
import { PARKED_KEY_PREFIX } from '../domain/protection/parking.js';

export class PgParkedApplications implements ParkedApplications {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.s = ident(schema);
  }

  async piiParked(applicationId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ parked: boolean }>(`SELECT ${parkedPii(this.s, '$1::uuid')} AS parked`, [applicationId]);
    return rows[0]?.parked === true;
  }

  async hold(applicationId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO ${this.s}.parked_applications (application_id) VALUES ($1) ON CONFLICT DO NOTHING`,
      [applicationId],
    );
    return rowCount === 1;
  }

  async releasable(limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ application_id: string }>(
      `SELECT application_id FROM ${this.s}.parked_applications h
        WHERE NOT ${parkedPii(this.s, 'h.application_id')} ORDER BY parked_at, application_id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.application_id);
  }

  async release(applicationId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.s}.parked_applications WHERE application_id = $1`, [applicationId]);
    return rowCount === 1;
  }

  /** Applications with parked PII now, held or not (the gauge kyc_pii_parked_applications). */
  async count(): Promise<number> {
    // Without a parked key (nearly always) the answer is 0 without reading the applications.
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT CASE WHEN EXISTS (SELECT 1 FROM ${this.s}.pii_parked_keys)
         THEN (SELECT count(*)::int FROM ${this.s}.applications a WHERE ${parkedPii(this.s, 'a.id')}) ELSE 0 END AS n`,
    );
    return rows[0]?.n ?? 0;
  }
}

/** Whether some PII of application `id` (an SQL expression) is under a parked key: applicant data, Aadhaar, a document. */
function parkedPii(s: string, id: string): string {
  const parked = `LIKE '${PARKED_KEY_PREFIX}%'`;
  return `(EXISTS (SELECT 1 FROM ${s}.applicants p WHERE p.application_id = ${id} AND p.key_id ${parked})
    OR EXISTS (SELECT 1 FROM ${s}.applicants p JOIN ${s}.aadhaar_vault v ON v.token = p.aadhaar_token
                WHERE p.application_id = ${id} AND v.key_id ${parked})
    OR EXISTS (SELECT 1 FROM ${s}.documents d WHERE d.application_id = ${id} AND d.key_id ${parked}))`;
}
