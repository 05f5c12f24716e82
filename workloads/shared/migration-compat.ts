// Expand/contract (docs/releases.md, "Schema changes: expand/contract"). Under a blue-green release the new
// version migrates the schema while the active version still serves from it, so a migration may only
// expand: add tables, nullable columns or columns with a default, indexes, wider checks. An operation
// that takes away or changes what the active version reads or writes — a dropped or renamed table or
// column, a changed column type, a new NOT NULL — is a contract step: it ships in a later release, once no
// running version uses the old shape, and says so (`contract` on the migration, with the reason).
//
// This finds the contract operations in a migration's SQL; runMigrations refuses an unmarked one before it
// runs (the preview colour then never becomes ready and the release stops there, the active version
// untouched), and a unit test refuses it at build time (workloads/migrations.test.ts).
import type { Migration } from './migrate.js';

export interface ContractOperation {
  /** What the operation does, for the message. */
  operation: string;
  /** The statement's text, shortened. */
  statement: string;
}

const CONTRACT_RULES: { operation: string; pattern: RegExp }[] = [
  { operation: 'DROP TABLE', pattern: /^DROP\s+TABLE\b/i },
  { operation: 'DROP SCHEMA', pattern: /^DROP\s+SCHEMA\b/i },
  { operation: 'DROP VIEW', pattern: /^DROP\s+(MATERIALIZED\s+)?VIEW\b/i },
  { operation: 'TRUNCATE', pattern: /^TRUNCATE\b/i },
  {
    operation: 'DROP COLUMN',
    pattern: /^ALTER\s+TABLE\b[\s\S]*\bDROP\s+(COLUMN\s+)?(?!CONSTRAINT\b|DEFAULT\b|NOT\s+NULL\b|IDENTITY\b|EXPRESSION\b)("[^"]+"|\w+)/i,
  },
  { operation: 'RENAME', pattern: /^ALTER\s+(TABLE|VIEW|SCHEMA|TYPE)\b[\s\S]*\bRENAME\b/i },
  { operation: 'ALTER COLUMN TYPE', pattern: /\bALTER\s+(COLUMN\s+)?("[^"]+"|\w+)\s+(SET\s+DATA\s+)?TYPE\b/i },
  { operation: 'SET NOT NULL', pattern: /\bALTER\s+(COLUMN\s+)?("[^"]+"|\w+)\s+SET\s+NOT\s+NULL\b/i },
];

/** ADD COLUMN ... NOT NULL without a DEFAULT: the active version's INSERTs do not name the column. */
const ADD_NOT_NULL = /\bADD\s+(COLUMN\s+)?(IF\s+NOT\s+EXISTS\s+)?("[^"]+"|\w+)\s+[^,;]*\bNOT\s+NULL\b/i;
const HAS_DEFAULT = /\bDEFAULT\b|\bGENERATED\b/i;

/** The statements of `sql` with comments and dollar-quoted bodies (functions) taken out. */
function statements(sql: string): string[] {
  const text = sql
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '$$$$')
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
  return text
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** ALTER TABLE's actions, split on the commas between them (not those inside parentheses). */
function alterActions(statement: string): string[] {
  const actions: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of statement) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      actions.push(current);
      current = '';
    } else current += char;
  }
  actions.push(current);
  return actions.map((a) => a.trim());
}

/** The contract operations in `sql` (empty: an expand-only migration). */
export function contractOperations(sql: string): ContractOperation[] {
  const found: ContractOperation[] = [];
  for (const statement of statements(sql)) {
    const short = statement.length > 120 ? `${statement.slice(0, 117)}...` : statement;
    for (const rule of CONTRACT_RULES) if (rule.pattern.test(statement)) found.push({ operation: rule.operation, statement: short });
    if (
      /^ALTER\s+TABLE\b/i.test(statement) &&
      alterActions(statement).some((action) => ADD_NOT_NULL.test(action) && !HAS_DEFAULT.test(action))
    ) {
      found.push({ operation: 'ADD COLUMN NOT NULL without DEFAULT', statement: short });
    }
  }
  return found;
}

/**
 * Why `migration` may not run beside the active version, or undefined when it may. A function migration
 * cannot be read: it must say `expandOnly: true` or be marked `contract`.
 */
export function incompatibility(schema: string, migration: Migration): string | undefined {
  if (migration.contract !== undefined) return undefined;
  const where = `migration ${schema} ${migration.version} (${migration.name})`;
  if (typeof migration.up !== 'string') {
    return migration.expandOnly
      ? undefined
      : `${where} is code the check cannot read: declare it expandOnly, or mark it contract with the reason the active version no longer needs what it removes`;
  }
  const operations = contractOperations(migration.up);
  if (operations.length === 0) return undefined;
  const list = operations.map((o) => `${o.operation} (${o.statement})`).join('; ');
  return (
    `${where} contracts the schema while the active version may still use it: ${list}. ` +
    'Expand now (add the new shape beside the old one), and contract in a later release marked contract once no running version uses the old shape (docs/releases.md, "Schema changes: expand/contract")'
  );
}
