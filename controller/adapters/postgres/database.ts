/**
 * The PostgreSQL connection: a pool, the schema the tables live in, and
 * transactions that retry when PostgreSQL asks for it. Several controller
 * nodes share one database, so every write that reads first either locks
 * its rows (SELECT … FOR UPDATE) or lets a constraint decide.
 */
import pg from 'pg';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';

/** What a store runs statements on: the pool (one statement, autocommit) or a transaction's client. */
export interface Sql {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface PgDatabase extends Sql {
  readonly pool: Pool;
  /** Unquoted, as given or resolved at open. */
  readonly schema: string;
  /** `"schema".table`: every statement names its schema, so no connection setting matters. */
  table(name: string): string;
  transaction<T>(fn: (tx: Sql) => Promise<T>, opts?: TransactionOptions): Promise<T>;
}

export interface TransactionOptions {
  /** Whole attempts, the first included. Only errors `retryable` accepts are retried. */
  readonly attempts?: number;
  readonly retryable?: (e: unknown) => boolean;
}

/** Lower-case letters, digits and underscores, as unquoted identifiers fold to: no surprises in psql. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)}: expected lower-case letters, digits and _ (at most 63), not starting with a digit`);
  }
  return schema;
}

export function createDatabase(pool: Pool, schema: string): PgDatabase {
  const quoted = pg.escapeIdentifier(checkSchemaName(schema));
  return {
    pool,
    schema,
    table: (name) => `${quoted}.${name}`,
    query: async <R extends QueryResultRow>(text: string, values?: readonly unknown[]) => pool.query<R>(text, checkBinds(values)),
    transaction: (fn, opts) => transaction(pool, fn, opts),
  };
}

/**
 * BEGIN … COMMIT on one pooled connection (READ COMMITTED). On failure the
 * transaction is rolled back; a retryable error (deadlock, serialization
 * failure, or what the caller names) starts it over after a short random
 * pause, so two nodes that collided do not collide again in step.
 */
export async function transaction<T>(pool: Pool, fn: (tx: Sql) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    const client: PoolClient = await pool.connect();
    // A connection whose ROLLBACK failed is in an unknown state: the pool must drop it.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn({ query: async (text, values) => client.query(text, checkBinds(values)) });
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      const retry = attempt < attempts && (transient(e) || (opts.retryable?.(e) ?? false));
      if (!retry) throw e;
    } finally {
      client.release(broken);
    }
    await sleep(Math.random() * 10 * attempt);
  }
}

/**
 * node-postgres would send an invalid Date as text the server may or may not
 * reject (and warns that it will throw some day): refuse it here, always.
 */
function checkBinds(values: readonly unknown[] | undefined): unknown[] | undefined {
  const invalid = (v: unknown): boolean => (v instanceof Date ? Number.isNaN(v.getTime()) : Array.isArray(v) && v.some(invalid));
  if (values?.some(invalid)) throw new RangeError('invalid Date in a PostgreSQL statement');
  return values as unknown[] | undefined;
}

/** 40001 serialization_failure, 40P01 deadlock_detected: PostgreSQL's "try again". */
export function transient(e: unknown): boolean {
  return e instanceof pg.DatabaseError && (e.code === '40001' || e.code === '40P01');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Where the tables go when no schema is given: the first schema of the
 * connection's search_path (`?options=-csearch_path%3Dwfc` in the URL sets
 * it), `$user` counting only when a schema of that name exists, as
 * PostgreSQL itself would place a new table. The schema need not exist yet.
 */
export async function defaultSchema(sql: Sql): Promise<string> {
  const { rows } = await sql.query<{ search_path: string; user_schema: string | null }>(
    `SELECT current_setting('search_path') AS search_path,
            (SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = current_user) AS user_schema`,
  );
  const row = rows[0]!;
  for (const entry of parseSearchPath(row.search_path)) {
    if (entry === '$user') {
      if (row.user_schema !== null) return row.user_schema;
      continue;
    }
    return entry;
  }
  return 'public';
}

/** `"$user", public, "My Schema"` → `['$user', 'public', 'My Schema']`: unquoted names fold to lower case. */
export function parseSearchPath(value: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < value.length && (m = re.exec(value)) !== null) {
    if (m[1] !== undefined) out.push(m[1].replace(/""/g, '"'));
    else if (m[2] !== undefined) out.push(m[2].toLowerCase());
  }
  return out;
}
