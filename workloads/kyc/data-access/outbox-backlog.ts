// How many events wait in the outbox (a metric; it grows while Kafka is away).
import { ident } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';

export class PgOutboxBacklog {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${ident(this.schema)}.outbox WHERE sent_at IS NULL`,
    );
    return rows[0]?.n ?? 0;
  }
}
