import { systemClock } from '../platform/clock.js';
import type { Clock } from '../platform/clock.js';
import type { Thread } from '../model/types.js';
import type { PushResult } from '../protocol/wire.js';
import { openDatabase, withRetry } from './postgresDatabase.js';
import type { PgPoolLike, PgliteLike, SqlDatabase, SqlSession } from './postgresDatabase.js';
import { readEvents, readHead } from './postgresEvents.js';
import { writeChanges } from './postgresWrite.js';
import { loadThreads, type ThreadRow } from './postgresThreads.js';
import { pruneIdempotency, readForgottenActive } from './postgresRetention.js';
import { DEFAULT_IDEMPOTENCY_RETENTION_MS, forgottenBefore, pruneIntervalMs } from './semantics/retention.js';
import { applyPush, applyServerWrites, hasNul } from './semantics/push.js';
import { patchesSince } from './postgresEvents.js';
import { createServerWriteQueue } from './serverWriteQueue.js';
import type { StoreTransaction } from './semantics/transaction.js';
import { LOCK_CLASS, migrate } from './postgresSchema.js';
import type { EventsRead, PushOutcome, ServerStore } from './types.js';

export interface PostgresStoreOptions {
  /**
   * A `pg` Pool (the app keeps ownership: `close()` leaves it open) or a PGlite instance
   * (`@electric-sql/pglite`, for tests and embedded use). Either this or `connectionString`.
   */
  pool?: PgPoolLike | PgliteLike;
  /** Opens a `pg` Pool of the store's own (closed by `close()`). Needs the `pg` package. */
  connectionString?: string;
  /** Connections of the store's own pool. @default 10 */
  max?: number;
  /**
   * Apply the shipped migrations before the first query (idempotent, safe when several
   * instances start together). `false` when you run `store.migrate()` yourself, e.g. in a
   * deploy step with a role that may create tables. @default true
   */
  migrate?: boolean;
  /** Event-log rows kept for resuming streams; an older cursor gets `reset`. @default 10000 */
  logLimit?: number;
  /** Stamps `createdAt` of the threads a first mutation creates, and times idempotency retention. @default systemClock */
  clock?: Clock;
  /**
   * How long the first result of each (clientId, seq) is kept, and a client's row after its last
   * push; a write re-sent after that answers `rejected` `expired` (docs/server.md, "Idempotency
   * retention"). Pushes prune at most once a minute (a tenth of this when shorter).
   * @default 604800000 (7 days)
   */
  idempotencyRetentionMs?: number;
  /** A prune that failed (it is tried again at the next interval). @default console.error */
  onError?(error: unknown): void;
}

export interface PostgresStore extends ServerStore {
  /** Applies the schema migrations this database has not had yet; returns the versions applied. */
  migrate(): Promise<number[]>;
}

interface ClientRow {
  epoch: number;
  last_seq: number;
  principal: string | null;
  pruned_seq: number;
  created: boolean;
}
interface SeenRow {
  seq: number;
  status: 'applied' | 'rejected';
  v: number | null;
  error_code: string | null;
  error_message: string | null;
}

/**
 * Advisory locks a transaction may take for its threads: two threads in one bucket wait for each
 * other, a small price beside exhausting `max_locks_per_transaction × max_connections` (6 400 by
 * default) with one lock per thread. A power of two.
 */
const THREAD_LOCK_BUCKETS = 256;

/** Threads kept parsed per instance: a read sends the body only when the version moved. */
const CACHE_LIMIT = 512;

/**
 * The ServerStore on PostgreSQL (docs/server.md). Concurrency: every push takes, in this order,
 * the row lock of its client (fencing and (clientId, seq) order across instances), advisory
 * locks on its threads (versions per thread, also for threads not created yet), then the row
 * lock of the log head (gap-free cursors in commit order). One global order, so no deadlock;
 * READ COMMITTED suffices because everything read is read after its lock is held.
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const clock = options.clock ?? systemClock;
  const logLimit = Math.max(1, options.logLimit ?? 10_000);
  const retentionMs = options.idempotencyRetentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS;
  const onError = options.onError ?? ((error: unknown) => console.error('syncline/server: pruning idempotency rows failed', error));
  const opened = openDatabase(options);
  opened.catch(() => {}); // reported by the first call that awaits it
  let migrated: Promise<unknown> | undefined;
  const cache = new Map<string, Thread>();

  async function ready(): Promise<SqlDatabase> {
    const db = await opened;
    if (options.migrate !== false) {
      migrated ??= migrate(db).catch((err: unknown) => {
        migrated = undefined; // the next call tries again
        throw err;
      });
      await migrated;
    }
    return db;
  }

  function remember(thread: Thread) {
    cache.delete(thread.id);
    cache.set(thread.id, thread);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  }

  async function lockAndLoad(tx: SqlSession, threadIds: string[], rows: Map<string, ThreadRow>): Promise<Map<string, Thread>> {
    if (threadIds.length === 0) return new Map();
    // One advisory lock per bucket of a bounded space (THREAD_LOCK_BUCKETS), in bucket order: every
    // transaction takes them in the same order, and a push naming thousands of threads holds at
    // most that many entries of PostgreSQL's shared lock table, so it cannot exhaust it for
    // another tenant's push (docs/server.md, PostgreSQL).
    await tx.query(
      `SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(id) & $3 AS k FROM unnest($2::text[]) AS id) s ORDER BY k`,
      [LOCK_CLASS + 1, threadIds, THREAD_LOCK_BUCKETS - 1],
    );
    // Read under the locks: the cached copy plus the ops since, or the snapshot (postgresThreads.ts).
    const loaded = await loadThreads(tx, threadIds, cache);
    for (const [id, row] of loaded.rows) rows.set(id, row);
    return loaded.threads;
  }

  /** The StoreTransaction (src/server/semantics/transaction.ts) of one SQL transaction. */
  function transaction(tx: SqlSession): StoreTransaction & { loaded: Thread[] } {
    const loaded: Thread[] = [];
    const rows = new Map<string, ThreadRow>();
    return {
      loaded,
      async lockClient(clientId, epoch, principal) {
        // Creates the client or locks its row; concurrent pushes of one client queue here. The
        // first principal named is kept (a refused push rolls back, so a stranger binds nothing).
        // `xmax = 0` only on a row this statement inserted.
        const { rows } = await tx.query<ClientRow>(
          `INSERT INTO syncline_clients (client_id, epoch, last_seq, principal, active_at) VALUES ($1, $2, 0, $3, $4)
           ON CONFLICT (client_id) DO UPDATE SET principal = COALESCE(syncline_clients.principal, EXCLUDED.principal)
           RETURNING epoch::float8 AS epoch, last_seq::float8 AS last_seq, principal, pruned_seq::float8 AS pruned_seq, (xmax = 0) AS created`,
          [clientId, epoch, principal, clock.now()],
        );
        const row = rows[0]!;
        // Read after the row is ours, in a statement of its own: a prune that forgot this
        // clientId meanwhile has committed its horizon by then.
        const forgotten = row.created ? forgottenBefore(await readForgottenActive(tx), retentionMs) : 0;
        return { epoch: row.epoch, lastSeq: row.last_seq, principal: row.principal, prunedSeq: row.pruned_seq, forgottenBefore: forgotten };
      },
      async seen(clientId, seqs) {
        const { rows } = await tx.query<SeenRow>(
          `SELECT seq::float8 AS seq, status, v::float8 AS v, error_code, error_message FROM syncline_mutations
           WHERE client_id = $1 AND seq = ANY($2::bigint[])`,
          [clientId, seqs],
        );
        const results = new Map<number, PushResult>();
        for (const row of rows) {
          results.set(
            row.seq,
            row.status === 'applied'
              ? { seq: row.seq, status: 'applied', v: row.v! }
              : { seq: row.seq, status: 'rejected', error: { code: row.error_code!, message: row.error_message! } },
          );
        }
        return results;
      },
      lockThreads: (ids) => lockAndLoad(tx, ids, rows),
      async write(changes) {
        loaded.push(...changes.threads);
        return writeChanges(tx, changes, rows, logLimit, clock.now());
      },
    };
  }

  /** Before a push, at most once per interval: what has passed the retention goes (src/server/postgresRetention.ts). */
  let nextPruneAt = -Infinity;
  async function prune(db: SqlDatabase) {
    const now = clock.now();
    if (now < nextPruneAt) return;
    nextPruneAt = now + pruneIntervalMs(retentionMs);
    await pruneIdempotency(db, now - retentionMs).catch(onError);
  }

  // Server writes in call order, many per transaction (src/server/serverWriteQueue.ts).
  let serverSeq = 0;
  const queueWrite = createServerWriteQueue(async (writes) => {
    const db = await ready();
    const batch = writes.map((w) => ({ ...w, seq: ++serverSeq }));
    const { outcomes, written } = await withRetry(db, async (tx) => {
      const run = transaction(tx);
      const outcome = await applyServerWrites(run, batch, clock.now());
      return { ...outcome, written: run.loaded };
    });
    for (const thread of written) remember(thread);
    return outcomes;
  });

  const store: PostgresStore = {
    async migrate() {
      return migrate(await opened);
    },

    async push(request, mutators, caller): Promise<PushOutcome> {
      const db = await ready();
      await prune(db);
      const { response, events, written } = await withRetry(db, async (tx) => {
        const run = transaction(tx);
        const outcome = await applyPush(run, request, mutators, clock.now(), caller);
        return { ...outcome, written: run.loaded };
      });
      for (const thread of written) remember(thread);
      return { response, events };
    },

    async pull(known, pullOptions) {
      const db = await ready();
      // The head first: every thread read after it reflects at least the entries up to it.
      const cursor = await readHead(db);
      const ids: string[] = [];
      const versions: number[] = [];
      for (const [id, v] of known) {
        if (hasNul(id)) continue;
        ids.push(id);
        versions.push(v);
      }
      if (ids.length === 0) return pullOptions?.patches ? { cursor, threads: [], patches: [] } : { cursor, threads: [] };
      const { rows } = await db.query<{ id: string }>(
        `SELECT t.id FROM unnest($1::text[], $2::float8[]) AS k(id, v) JOIN syncline_threads t ON t.id = k.id WHERE t.v > k.v`,
        [ids, versions],
      );
      const newer = (await loadThreads(db, rows.map((row) => row.id), cache)).threads;
      const threads = [...newer.values()].filter((t) => t.v > known.get(t.id)!);
      for (const thread of threads) remember(thread);
      if (!pullOptions?.patches) return { cursor, threads };
      // Read after the threads: a version's entry commits with it, so every step up to each
      // thread's version is in the log unless pruned (patchSince then sends the thread).
      return { cursor, ...(await patchesSince(db, threads, known)) };
    },

    async eventsSince(cursor, limit, scope): Promise<EventsRead> {
      return readEvents(await ready(), cursor, limit, scope);
    },

    async head() {
      return readHead(await ready());
    },

    async thread(id) {
      const db = await ready();
      if (hasNul(id)) return undefined;
      // Only the ops past the cached version cross the wire, or nothing when it is current.
      const thread = (await loadThreads(db, [id], cache)).threads.get(id);
      if (thread) remember(thread);
      return thread;
    },

    serverWrite: (threadId, name, args, mutators) => queueWrite({ threadId, name, args, mutators }),

    async close() {
      const db = await opened.catch(() => undefined);
      await db?.close();
    },
  };
  return store;
}
