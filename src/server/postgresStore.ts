import { systemClock } from '../platform/clock.js';
import type { Clock } from '../platform/clock.js';
import type { Thread } from '../model/types.js';
import type { PushRequest, PushResult } from '../protocol/wire.js';
import { applyMutation, hasNul } from './postgresApply.js';
import type { Workspace } from './postgresApply.js';
import { openDatabase, withRetry } from './postgresDatabase.js';
import type { PgPoolLike, PgliteLike, SqlDatabase, SqlSession } from './postgresDatabase.js';
import { readEvents, readHead } from './postgresEvents.js';
import { writeChanges } from './postgresWrite.js';
import type { NewEvent } from './postgresWrite.js';
import { LOCK_CLASS, migrate } from './postgresSchema.js';
import { ServerError } from './serverError.js';
import type { EventsRead, MutatorTable, PushOutcome, ServerStore, StoredEvent, WriteResult } from './types.js';

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
  /** Stamps `createdAt` of the threads a first mutation creates. @default systemClock */
  clock?: Clock;
}

export interface PostgresStore extends ServerStore {
  /** Applies the schema migrations this database has not had yet; returns the versions applied. */
  migrate(): Promise<number[]>;
}

interface ClientRow {
  epoch: number;
  last_seq: number;
}
interface SeenRow {
  seq: number;
  status: 'applied' | 'rejected';
  v: number | null;
  error_code: string | null;
  error_message: string | null;
}

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

  async function lockAndLoad(tx: SqlSession, threadIds: string[]): Promise<Map<string, Thread>> {
    const threads = new Map<string, Thread>();
    if (threadIds.length === 0) return threads;
    // In hash order, one lock per distinct hash: every transaction takes them in the same order.
    await tx.query(
      `SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest($2::text[]) AS id) s ORDER BY k`,
      [LOCK_CLASS + 1, threadIds],
    );
    const { rows } = await tx.query<{ body: string }>('SELECT body FROM syncline_threads WHERE id = ANY($1::text[])', [threadIds]);
    for (const row of rows) {
      const thread = JSON.parse(row.body) as Thread;
      threads.set(thread.id, thread);
    }
    return threads;
  }

  const eventFor = (threadId: string, name: string, args: unknown, v: number): NewEvent => {
    if (name === 'appendDelta') {
      const { messageId, text } = args as { messageId: string; text: string };
      return { type: 'delta', threadId, messageId, v, text };
    }
    return { type: 'thread', threadId, v };
  };

  async function pushIn(tx: SqlSession, request: PushRequest, mutators: MutatorTable) {
    const { clientId, epoch, mutations } = request;
    // Creates the client or locks its row; concurrent pushes of one client queue here.
    const { rows: clientRows } = await tx.query<ClientRow>(
      `INSERT INTO syncline_clients (client_id, epoch, last_seq) VALUES ($1, $2, 0)
       ON CONFLICT (client_id) DO UPDATE SET client_id = EXCLUDED.client_id
       RETURNING epoch::float8 AS epoch, last_seq::float8 AS last_seq`,
      [clientId, epoch],
    );
    const client = clientRows[0]!;
    if (epoch < client.epoch) {
      throw new ServerError(409, 'fenced', `Epoch ${epoch} is older than ${client.epoch}: another writer took over client ${clientId}.`);
    }
    const results = new Map<number, PushResult>();
    if (mutations.length > 0) {
      const { rows } = await tx.query<SeenRow>(
        `SELECT seq::float8 AS seq, status, v::float8 AS v, error_code, error_message FROM syncline_mutations
         WHERE client_id = $1 AND seq = ANY($2::bigint[])`,
        [clientId, mutations.map((m) => m.seq)],
      );
      for (const row of rows) {
        results.set(
          row.seq,
          row.status === 'applied'
            ? { seq: row.seq, status: 'applied', v: row.v! }
            : { seq: row.seq, status: 'rejected', error: { code: row.error_code!, message: row.error_message! } },
        );
      }
    }
    // Which threads new mutations touch: lock and load only those.
    const touched = new Set<string>();
    let probe = client.last_seq;
    for (const m of mutations) {
      if (results.has(m.seq) || m.seq < probe) continue;
      probe = m.seq;
      if (!hasNul(m.threadId)) touched.add(m.threadId);
    }
    const space: Workspace = { threads: await lockAndLoad(tx, [...touched]), changed: new Set(), now: clock.now() };

    let lastSeq = client.last_seq;
    const out: PushResult[] = [];
    const recorded: { m: PushRequest['mutations'][number]; result: WriteResult }[] = [];
    const events: NewEvent[] = [];
    for (const m of mutations) {
      const first = results.get(m.seq);
      if (first) {
        out.push(first.status === 'rejected' ? first : { seq: m.seq, status: 'duplicate', v: first.v! });
        continue;
      }
      if (m.seq < lastSeq) {
        out.push({
          seq: m.seq,
          status: 'rejected',
          error: { code: 'out-of-order', message: `seq ${m.seq} arrived after seq ${lastSeq} of the same client.` },
        });
        continue;
      }
      lastSeq = m.seq;
      const result: WriteResult =
        hasNul(m.threadId) || hasNul(m.name) || hasNul(m.id)
          ? { status: 'rejected', error: { code: 'invalid-args', message: 'threadId, name and id must not contain U+0000.' } }
          : applyMutation(space, mutators, m.threadId, m.name, m.args);
      const pushResult: PushResult = { seq: m.seq, ...result };
      results.set(m.seq, pushResult);
      out.push(pushResult);
      recorded.push({ m, result });
      if (result.status === 'applied') events.push(eventFor(m.threadId, m.name, m.args, result.v));
    }

    const stored = await writeChanges(
      tx,
      {
        threads: [...space.changed].map((id) => space.threads.get(id)!),
        client: {
          clientId,
          epoch,
          lastSeq,
          recorded: recorded.map(({ m, result }) => ({ seq: m.seq, id: m.id, threadId: m.threadId, name: m.name, result })),
        },
        events,
      },
      logLimit,
    );
    return { response: { lastSeq, results: out }, events: stored, space };
  }

  const store: PostgresStore = {
    async migrate() {
      return migrate(await opened);
    },

    async push(request, mutators): Promise<PushOutcome> {
      const db = await ready();
      if (hasNul(request.clientId)) throw new ServerError(400, 'bad-request', 'clientId must not contain U+0000.');
      const { response, events, space } = await withRetry(db, (tx) => pushIn(tx, request, mutators));
      for (const id of space.changed) remember(space.threads.get(id)!);
      return { response, events };
    },

    async pull(known) {
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
      if (ids.length === 0) return { cursor, threads: [] };
      const { rows } = await db.query<{ body: string }>(
        `SELECT t.body FROM unnest($1::text[], $2::float8[]) AS k(id, v) JOIN syncline_threads t ON t.id = k.id WHERE t.v > k.v`,
        [ids, versions],
      );
      return { cursor, threads: rows.map((row) => JSON.parse(row.body) as Thread) };
    },

    async eventsSince(cursor, limit): Promise<EventsRead> {
      return readEvents(await ready(), cursor, limit);
    },

    async head() {
      return readHead(await ready());
    },

    async thread(id) {
      const db = await ready();
      if (hasNul(id)) return undefined;
      const cached = cache.get(id);
      // The body crosses the wire only when this instance does not hold the current version.
      const { rows } = await db.query<{ v: number; body: string | null }>(
        'SELECT v::float8 AS v, CASE WHEN v = $2 THEN NULL ELSE body END AS body FROM syncline_threads WHERE id = $1',
        [id, cached?.v ?? -1],
      );
      const row = rows[0];
      if (!row) return undefined;
      if (row.body === null && cached) return cached;
      const thread = JSON.parse(row.body!) as Thread;
      remember(thread);
      return thread;
    },

    async serverWrite(threadId, name, args, mutators) {
      const db = await ready();
      if (typeof threadId !== 'string' || threadId === '' || hasNul(threadId)) {
        return { result: { status: 'rejected', error: { code: 'invalid-args', message: 'serverWrite needs a threadId.' } }, events: [] };
      }
      const { result, events, space } = await withRetry(db, async (tx) => {
        const space: Workspace = { threads: await lockAndLoad(tx, [threadId]), changed: new Set(), now: clock.now() };
        const result = applyMutation(space, mutators, threadId, name, args);
        if (result.status === 'rejected') return { result, events: [] as StoredEvent[], space };
        const events = await writeChanges(
          tx,
          { threads: [space.threads.get(threadId)!], events: [eventFor(threadId, name, args, result.v)] },
          logLimit,
        );
        return { result, events, space };
      });
      for (const id of space.changed) remember(space.threads.get(id)!);
      return { result, events };
    },

    async close() {
      const db = await opened.catch(() => undefined);
      await db?.close();
    },
  };
  return store;
}
