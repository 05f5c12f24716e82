// Two ways the store saves PostgreSQL round trips and server work without changing what a
// transaction does:
// - named (prepared) statements: each connection parses and plans a statement once, then only binds
//   and executes it;
// - deferred writes: the audit records, outbox events and consents a use case writes are kept until
//   the transaction's next statement or its commit, and then written by one statement (one INSERT per
//   table, rows in the order they were written), instead of one round trip each. Nothing reads in
//   between: the store writes them before any other statement of the transaction runs, so every read
//   in the transaction still sees them, and they commit or roll back with the rest.
import { hash } from 'node:crypto';
import { OUTBOX_COLUMNS } from '../../shared/index.js';

const names = new Map<string, string>();

/** A stable statement name for `text` (the same text always gets the same name). */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `kyc_${hash('sha1', text, 'hex').slice(0, 32)}`;
    if (names.size < 1000) names.set(text, name);
  }
  return name;
}

/** Rows of one table waiting to be written, in the order they were written. */
interface PendingTable {
  columns: string;
  width: number;
  rows: unknown[][];
}

export const AUDIT_COLUMNS = '(application_id, actor_id, actor_role, action, from_state, to_state, detail, request_id)';
export const CONSENT_COLUMNS = '(id, application_id, owner_id, purposes, notice_version)';

type Table = 'consents' | 'audit_trail' | 'outbox';

export class DeferredWrites {
  // Insertion order of the tables: consents before the audit records and events that mention them.
  private readonly tables = new Map<Table, PendingTable>();

  add(table: Table, values: unknown[]): void {
    let pending = this.tables.get(table);
    if (!pending) {
      const columns = table === 'consents' ? CONSENT_COLUMNS : table === 'audit_trail' ? AUDIT_COLUMNS : OUTBOX_COLUMNS;
      pending = { columns, width: values.length, rows: [] };
      this.tables.set(table, pending);
    }
    if (values.length !== pending.width) throw new Error(`deferred ${table} row has ${values.length} values, expected ${pending.width}`);
    pending.rows.push(values);
  }

  get size(): number {
    let rows = 0;
    for (const pending of this.tables.values()) rows += pending.rows.length;
    return rows;
  }

  /** One statement writing every pending row (and forgets them), or undefined when nothing waits. */
  take(schema: string): { text: string; values: unknown[] } | undefined {
    if (this.tables.size === 0) return undefined;
    const values: unknown[] = [];
    const inserts: string[] = [];
    for (const [table, pending] of this.tables) {
      const rows = pending.rows.map((row) => {
        const placeholders = row.map((value) => {
          values.push(value);
          return `$${values.length}`;
        });
        return `(${placeholders.join(', ')})`;
      });
      inserts.push(`INSERT INTO ${schema}.${table} ${pending.columns} VALUES ${rows.join(', ')}`);
    }
    this.tables.clear();
    if (inserts.length === 1) return { text: inserts[0] as string, values };
    // Several tables: one statement of data-modifying CTEs (each INSERT runs exactly once).
    const ctes = inserts.slice(0, -1).map((insert, index) => `w${index} AS (${insert})`);
    return { text: `WITH ${ctes.join(', ')} ${inserts[inserts.length - 1] as string}`, values };
  }
}
