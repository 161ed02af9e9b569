import { applyPatches } from '../model/applyOps.js';
import type { ThreadPatch } from '../model/ops.js';
import type { Thread } from '../model/types.js';
import type { SqlSession } from './postgresDatabase.js';
import type { NewEvent } from './semantics/transaction.js';

/*
 * Threads on PostgreSQL as a snapshot plus the ops since (docs/server.md, "Schema"), so a write
 * costs the size of its change: `syncline_threads.body` holds the thread at `body_v`, and
 * `syncline_thread_ops` one row per later version with that version's ops. A write appends its
 * ops and moves `v` (the row's large body is not rewritten: PostgreSQL keeps its TOAST pointer);
 * once the ops since the snapshot weigh more than the snapshot (at least COMPACT_MIN_BYTES), the
 * next write stores the thread whole again and deletes those ops. Rewrites are then paid at most
 * once per snapshot's worth of changes: amortised, a write costs O(change).
 *
 * Each instance keeps threads it read (the store's cache): a read fetches only the ops past the
 * version it holds, or nothing when it holds the current one.
 */

/** Below this, ops accumulate before a snapshot is written even on a small thread. */
const COMPACT_MIN_BYTES = 64 * 1024;

/** What the store knows of a thread row, read under its lock: how the next write is stored. */
export interface ThreadRow {
  bodyV: number;
  bodyBytes: number;
  opsBytes: number;
}

interface LoadRow {
  id: string;
  v: number;
  body_v: number;
  body_bytes: number;
  ops_bytes: number;
  body: string | null;
  /** The ops of each version after the base read (the cached copy or the body), in order. */
  ops: string[];
}

/**
 * The current versions of those of `ids` that exist, from `cache` where it holds them, with the
 * row facts a write needs. Callers hold the threads' locks when they will write them.
 */
export async function loadThreads(
  db: SqlSession,
  ids: readonly string[],
  cache: ReadonlyMap<string, Thread>,
): Promise<{ threads: Map<string, Thread>; rows: Map<string, ThreadRow> }> {
  const threads = new Map<string, Thread>();
  const rows = new Map<string, ThreadRow>();
  if (ids.length === 0) return { threads, rows };
  // The copies as they are now: the cache may move on while the query runs (another request of
  // this instance), and the ops read lead from the version named here.
  const cached = new Map(ids.map((id) => [id, cache.get(id)]));
  const held = ids.map((id) => cached.get(id)?.v ?? -1);
  // One statement, so one snapshot: the row and its ops agree even while another instance
  // compacts (a second query could find the ops it needs already deleted). The body crosses the
  // wire only when the cached copy cannot be brought up to date by ops.
  const { rows: found } = await db.query<LoadRow>(
    `SELECT t.id, t.v::float8 AS v, t.body_v::float8 AS body_v, t.body_bytes::float8 AS body_bytes, t.ops_bytes::float8 AS ops_bytes,
            CASE WHEN k.held >= t.body_v AND k.held <= t.v THEN NULL ELSE t.body END AS body,
            ARRAY(SELECT o.ops FROM syncline_thread_ops o
                  WHERE o.thread_id = t.id AND o.v <= t.v
                    AND o.v > CASE WHEN k.held >= t.body_v AND k.held <= t.v THEN k.held ELSE t.body_v END
                  ORDER BY o.v) AS ops
     FROM unnest($1::text[], $2::float8[]) AS k(id, held) JOIN syncline_threads t ON t.id = k.id`,
    [ids, held],
  );
  for (const row of found) {
    rows.set(row.id, { bodyV: row.body_v, bodyBytes: row.body_bytes, opsBytes: row.ops_bytes });
    const base = row.body === null ? cached.get(row.id)! : (JSON.parse(row.body) as Thread);
    const patches = row.ops.map((text, i) => ({ threadId: row.id, fromV: base.v + i, v: base.v + i + 1, ops: JSON.parse(text) as ThreadPatch['ops'] }));
    const { thread, gap } = applyPatches(base, patches);
    // The rows are written together with `v` under the thread's lock: a hole is corruption.
    if (gap || thread.v !== row.v) throw new Error(`syncline_thread_ops of thread ${JSON.stringify(row.id)} do not lead from v${base.v} to v${row.v}.`);
    threads.set(row.id, thread);
  }
  return { threads, rows };
}

/**
 * Writes the threads a transaction changed: their ops when every version of theirs in `events`
 * is a patch and the ops since the snapshot stay under its weight, else the thread whole.
 * @param rows what `loadThreads` read under the lock (absent: a new thread)
 */
export async function writeThreads(
  tx: SqlSession,
  threads: readonly Thread[],
  events: readonly NewEvent[],
  rows: ReadonlyMap<string, ThreadRow>,
): Promise<void> {
  const steps = new Map<string, NewEvent[]>();
  for (const e of events) {
    const list = steps.get(e.threadId) ?? [];
    list.push(e);
    steps.set(e.threadId, list);
  }
  const whole: Thread[] = [];
  const appended: { id: string; v: number; bytes: number }[] = [];
  const opRows: { id: string; v: number; ops: string }[] = [];
  for (const thread of threads) {
    const row = rows.get(thread.id);
    const own = steps.get(thread.id) ?? [];
    const texts = own.every((e) => e.type === 'patch') ? own.map((e) => (e.type === 'patch' ? JSON.stringify(e.ops) : '')) : null;
    const bytes = texts?.reduce((n, t) => n + t.length, 0) ?? 0;
    if (!row || !texts || row.opsBytes + bytes > Math.max(COMPACT_MIN_BYTES, row.bodyBytes)) {
      whole.push(thread);
      continue;
    }
    appended.push({ id: thread.id, v: thread.v, bytes });
    own.forEach((e, i) => opRows.push({ id: thread.id, v: e.v, ops: texts[i]! }));
  }
  if (whole.length > 0) {
    // Every op row of the thread goes: those up to v are in the body, and none above v can be
    // valid (rows left by a thread row deleted by hand would otherwise collide with new ones).
    const bodies = whole.map((t) => JSON.stringify(t));
    await tx.query(
      `WITH w AS (
         INSERT INTO syncline_threads (id, v, body, body_v, body_bytes, ops_bytes)
         SELECT k.id, k.v, k.body, k.v, octet_length(k.body), 0 FROM unnest($1::text[], $2::bigint[], $3::text[]) AS k(id, v, body)
         ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, body = EXCLUDED.body, body_v = EXCLUDED.body_v,
           body_bytes = EXCLUDED.body_bytes, ops_bytes = 0, updated_at = now()
       )
       DELETE FROM syncline_thread_ops o USING unnest($1::text[]) AS k(id) WHERE o.thread_id = k.id`,
      [whole.map((t) => t.id), whole.map((t) => t.v), bodies],
    );
  }
  if (appended.length > 0) {
    await tx.query(
      `WITH o AS (
         INSERT INTO syncline_thread_ops (thread_id, v, ops) SELECT * FROM unnest($4::text[], $5::bigint[], $6::text[])
       )
       UPDATE syncline_threads t SET v = k.v, ops_bytes = t.ops_bytes + k.bytes, updated_at = now()
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS k(id, v, bytes) WHERE t.id = k.id`,
      [appended.map((a) => a.id), appended.map((a) => a.v), appended.map((a) => a.bytes), opRows.map((r) => r.id), opRows.map((r) => r.v), opRows.map((r) => r.ops)],
    );
  }
}
