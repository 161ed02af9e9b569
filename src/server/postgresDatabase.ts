/*
 * The little of a PostgreSQL driver the store needs: one statement with `$n` parameters, and a
 * transaction. A `pg` Pool and a PGlite instance both fit behind it, so the same store code is
 * tested on PGlite (embedded, no server) and runs on a real PostgreSQL (docs/server.md).
 */

import { importOptionalPeer } from './optionalPeer.js';

export interface SqlSession {
  /** One statement; `$1…$n` parameters. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface SqlDatabase extends SqlSession {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Ends the connections this adapter opened itself. */
  close(): Promise<void>;
}

/** The part of a `pg` Pool the store uses. */
export interface PgPoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<PgPoolClientLike>;
  end(): Promise<void>;
}

export interface PgPoolClientLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  release(err?: Error | boolean): void;
}

/** The part of a PGlite instance (`@electric-sql/pglite`) the store uses. */
export interface PgliteLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  transaction<T>(fn: (tx: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> }) => Promise<T>): Promise<T>;
}

const asSession = (target: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> }): SqlSession => ({
  query: <R>(text: string, params?: unknown[]) => target.query(text, params) as Promise<{ rows: R[] }>,
});

/** A `pg` Pool behind the store's interface. `owned`: `close()` ends the pool. */
export function fromPgPool(pool: PgPoolLike, owned: boolean): SqlDatabase {
  return {
    ...asSession(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(asSession(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection that cannot even roll back is handed back broken: the pool discards it.
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => (owned ? pool.end() : Promise.resolve()),
  };
}

/** A PGlite instance behind the store's interface; the app closes it. */
export function fromPglite(db: PgliteLike): SqlDatabase {
  return {
    ...asSession(db),
    transaction: (fn) => db.transaction((tx) => fn(asSession(tx))),
    close: () => Promise.resolve(),
  };
}

const isPglite = (value: PgPoolLike | PgliteLike): value is PgliteLike =>
  typeof (value as PgliteLike).transaction === 'function';

/** The adapter for what the app passed: a pg Pool, a PGlite instance, or a connection string. */
export async function openDatabase(options: { pool?: PgPoolLike | PgliteLike; connectionString?: string; max?: number }): Promise<SqlDatabase> {
  if (options.pool) return isPglite(options.pool) ? fromPglite(options.pool) : fromPgPool(options.pool, false);
  if (!options.connectionString) {
    throw new TypeError('createPostgresStore needs { pool } (a pg Pool or PGlite) or { connectionString }.');
  }
  let Pool: new (config: { connectionString: string; max: number }) => PgPoolLike & { on(event: 'error', fn: () => void): void };
  try {
    ({ Pool } = (await importOptionalPeer('pg')).default);
  } catch {
    throw new Error('createPostgresStore({ connectionString }) needs the "pg" package: npm install pg');
  }
  const pool = new Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  // An idle connection the server drops emits 'error' on the pool; unhandled, it would end the
  // process. The pool replaces the connection; the next query reports any lasting failure.
  pool.on('error', () => {});
  return fromPgPool(pool, true);
}

/**
 * SQLSTATEs after which a whole transaction may simply run again: a serialization failure, a
 * deadlock, and a unique violation (the (clientId, seq) key caught a race the locks should have
 * prevented: run again, the push finds the first result and answers duplicate).
 */
const RETRYABLE = new Set(['40001', '40P01', '23505']);

/** Runs a transaction again (up to `attempts` times) after a serialization failure or a deadlock. */
export async function withRetry<T>(db: SqlDatabase, fn: (tx: SqlSession) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= attempts || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
    }
  }
}
