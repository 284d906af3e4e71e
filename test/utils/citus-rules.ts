/**
 * The statement rules of DESIGN.md's Citus and PgBouncer sections that can be read off the SQL text, for
 * test/citus-rules.e2e-spec.ts. Each rule names what Citus (or a transaction-mode pooler) does with such a
 * statement. A checker, not a parser: it knows the shapes this code writes.
 */
export interface Rule {
  name: string;
  test(sql: string): boolean;
}

// Functions Citus does not evaluate as IMMUTABLE on a worker (now() and its relatives).
const STABLE_TIME = /\b(?:now|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|random)\s*\(|\bcurrent_(?:timestamp|date|time)\b|\blocaltimestamp\b/i;
const NAME = String.raw`(?:"(?:[^"]|"")+"|[a-z_][\w$]*)`;
const QUALIFIED = String.raw`${NAME}\s*\.\s*${NAME}`;

/** The SET list of every `UPDATE … SET` (and `DO UPDATE SET`) of the statement, up to its FROM/WHERE/RETURNING. */
function setClauses(sql: string, after: RegExp): string[] {
  const clauses: string[] = [];
  for (const match of sql.matchAll(after)) {
    let depth = 0;
    let end = sql.length;
    const start = match.index! + match[0].length;
    for (let i = start; i < sql.length; i++) {
      const c = sql[i];
      if (c === '(') depth += 1;
      else if (c === ')') {
        if (depth === 0) {
          end = i;
          break;
        }
        depth -= 1;
      } else if (depth === 0 && /^(?:FROM|WHERE|RETURNING)\b/i.test(sql.slice(i)) && /\W/.test(sql[i - 1] ?? ' ')) {
        end = i;
        break;
      }
    }
    clauses.push(sql.slice(start, end));
  }
  return clauses;
}

/** Each `CASE … END` and `COALESCE(…)` of a piece of SQL, with what it contains. */
function caseAndCoalesce(sql: string): string[] {
  const found: string[] = [];
  for (const match of sql.matchAll(/\bCOALESCE\s*\(/gi)) {
    let depth = 1;
    let i = match.index! + match[0].length;
    for (; i < sql.length && depth > 0; i++) depth += sql[i] === '(' ? 1 : sql[i] === ')' ? -1 : 0;
    found.push(sql.slice(match.index!, i));
  }
  for (const match of sql.matchAll(/\bCASE\b/gi)) {
    let depth = 1;
    const words = /\b(CASE|END)\b/gi;
    words.lastIndex = match.index! + 4;
    let end = sql.length;
    for (let word = words.exec(sql); word; word = words.exec(sql)) {
      depth += word[1].toUpperCase() === 'CASE' ? 1 : -1;
      if (depth === 0) {
        end = word.index + 3;
        break;
      }
    }
    found.push(sql.slice(match.index!, end));
  }
  return found;
}

export const RULES: Rule[] = [
  {
    name: 'no now() in ON CONFLICT DO UPDATE SET (Citus wants IMMUTABLE functions there: use EXCLUDED)',
    test: (sql) => setClauses(sql, /\bDO\s+UPDATE\s+SET\b/gi).some((set) => STABLE_TIME.test(set)),
  },
  {
    name: 'no STABLE function inside CASE/COALESCE of an UPDATE (take now() from a subquery in FROM)',
    test: (sql) =>
      setClauses(sql, new RegExp(String.raw`(?<!\bFOR\s+(?:NO\s+KEY\s+)?)\bUPDATE\s+${QUALIFIED}(?:\s+(?:AS\s+)?${NAME})?\s+SET\b`, 'gi'))
        .flatMap(caseAndCoalesce)
        .some((part) => STABLE_TIME.test(part)),
  },
  {
    name: 'no INSERT … SELECT … WHERE EXISTS with bound parameters (Citus deparses it wrongly: insert VALUES)',
    test: (sql) => /\bINSERT\s+INTO\b[\s\S]*\bSELECT\b[\s\S]*\bWHERE\s+(?:[\s\S]*\b)?EXISTS\s*\(/i.test(sql) && /\$\d+/.test(sql),
  },
  { name: 'no CREATE TABLE … AS', test: (sql) => new RegExp(String.raw`\bCREATE\s+(?:\w+\s+)*TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:${QUALIFIED}|${NAME})\s+AS\b`, 'i').test(sql) },
  { name: 'no SELECT … INTO', test: (sql) => /^\s*SELECT\b(?:(?!\bFROM\b)[\s\S])*?\bINTO\b/i.test(sql) },
  { name: 'no ALTER … SET SCHEMA', test: (sql) => /\bALTER\s+\w+\b[\s\S]*\bSET\s+SCHEMA\b/i.test(sql) },
  {
    name: 'every table schema-qualified (CREATE TABLE/INDEX, ALTER TABLE, INSERT, UPDATE, DELETE): no search_path',
    test: (sql) =>
      [
        String.raw`\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`,
        String.raw`\bCREATE\s+(?:UNIQUE\s+)?INDEX\b[\s\S]*?\bON\s+(?:ONLY\s+)?`,
        String.raw`\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?`,
        String.raw`\bINSERT\s+INTO\s+`,
        String.raw`(?<!\b(?:FOR|KEY|DO)\s+)\bUPDATE\s+(?:ONLY\s+)?`,
        String.raw`\bDELETE\s+FROM\s+`,
      ].some((prefix) => new RegExp(`${prefix}(?!(?:IF|ONLY)\\s)(?!${QUALIFIED})${NAME}`, 'i').test(sql)),
  },
  {
    name: 'no session state: SET/RESET outside SET LOCAL, set_config(…, false), session advisory locks, PREPARE',
    test: (sql) =>
      /^\s*(?:SET\s+(?!LOCAL\b)|RESET\b|PREPARE\b|DISCARD\b)/i.test(sql) ||
      /\bset_config\s*\([^)]*,\s*false\s*\)/i.test(sql) ||
      /\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(/i.test(sql),
  },
];

/** The schemas of this app a statement names (`"tenant_acme"."targets"` → tenant_acme): shared, tenant_…, spare_…. */
export function schemasOf(sql: string): string[] {
  return [...new Set([...sql.matchAll(/"(shared|(?:tenant|spare)_[a-z0-9_]+)"\s*\./g)].map((match) => match[1]))];
}

/** The rules a statement breaks, plus a cross-schema reference between two tenant schemas. */
export function violations(sql: string): string[] {
  const broken = RULES.filter((rule) => rule.test(sql)).map((rule) => rule.name);
  const tenantSchemas = schemasOf(sql).filter((schema) => schema !== 'shared');
  if (tenantSchemas.length > 1) broken.push(`no statement across tenant schemas (${tenantSchemas.join(', ')})`);
  return broken;
}
