import type { ThreadOp, ThreadPatch } from '../model/ops.js';
import type { Thread } from '../model/types.js';
import { patchSince } from './semantics/patchSince.js';
import type { SqlSession } from './postgresDatabase.js';
import { visibleThreads } from './semantics/replayScope.js';
import type { EventsRead, ReplayScope, StoredEvent } from './types.js';

/*
 * Reading the event log shared by every instance (written by postgresWrite.ts, whose cursors are
 * gap-free and in commit order). Rows are ordered by `syncline_events.id`, the bigint: ordering by
 * the `id::text` column of the answer would put cursor 10 before 9.
 */

/** Versions behind past which a pull sends the thread without reading the log (bounds the read). */
const PATCH_STEPS_MAX = 1000;

interface EventRow {
  id: string;
  thread_id: string;
  type: 'thread' | 'delta' | 'patch';
  v: number;
  payload: string | null;
}

export async function readHead(db: SqlSession): Promise<string> {
  const { rows } = await db.query<{ head: string }>('SELECT head::text AS head FROM syncline_log');
  return rows[0]?.head ?? '0';
}

function toEvent(row: EventRow): StoredEvent {
  const v = Number(row.v);
  if (row.type === 'delta') {
    const { messageId, text } = JSON.parse(row.payload ?? '{}') as { messageId: string; text: string };
    return { cursor: row.id, type: 'delta', threadId: row.thread_id, messageId, v, text };
  }
  if (row.type === 'patch') return { cursor: row.id, type: 'patch', threadId: row.thread_id, v, ops: JSON.parse(row.payload ?? '[]') as ThreadOp[] };
  return { cursor: row.id, type: 'thread', threadId: row.thread_id, v };
}

/**
 * A protocol v2 pull's answer on PostgreSQL: per thread, the ops since the version the client
 * named when the log still has every step (src/server/semantics/patchSince.ts decides), else the
 * thread. A client more than PATCH_STEPS_MAX versions behind gets the thread without a read.
 */
export async function patchesSince(
  db: SqlSession,
  threads: Thread[],
  known: ReadonlyMap<string, number>,
): Promise<{ threads: Thread[]; patches: ThreadPatch[] }> {
  const near = threads.filter((t) => (known.get(t.id) ?? 0) > 0 && t.v - known.get(t.id)! <= PATCH_STEPS_MAX);
  const byThread = new Map<string, StoredEvent[]>();
  if (near.length > 0) {
    const { rows } = await db.query<EventRow>(
      `SELECT e.id::text AS id, e.thread_id, e.type, e.v::float8 AS v, e.payload
       FROM unnest($1::text[], $2::float8[], $3::float8[]) AS k(id, known, v)
       JOIN syncline_events e ON e.thread_id = k.id AND e.v > k.known AND e.v <= k.v
       ORDER BY e.id`,
      [near.map((t) => t.id), near.map((t) => known.get(t.id)!), near.map((t) => t.v)],
    );
    for (const row of rows) {
      const list = byThread.get(row.thread_id) ?? [];
      list.push(toEvent(row));
      byThread.set(row.thread_id, list);
    }
  }
  const out: Thread[] = [];
  const patches: ThreadPatch[] = [];
  for (const thread of threads) {
    const patch = byThread.has(thread.id) ? patchSince(thread, known.get(thread.id)!, byThread.get(thread.id)!) : undefined;
    if (patch) patches.push(patch);
    else out.push(thread);
  }
  return { threads: out, patches };
}

/** Gap-free ids: a first row other than cursor + 1 (while entries exist after it) means pruned. */
const pruned = (after: number, head: string, firstId: number | null) =>
  (firstId === null && after < Number(head)) || (firstId !== null && firstId !== after + 1);

/** Entries after `cursor`, at most `limit`; `reset` for a cursor the log cannot continue from. */
export async function readEvents(db: SqlSession, cursor: string, limit: number, scope?: ReplayScope): Promise<EventsRead> {
  const head = await readHead(db);
  if (!/^\d{1,15}$/.test(cursor)) return { reset: true, head };
  const after = Number(cursor);
  if (after > Number(head)) return { reset: true, head };
  const max = Math.max(1, Math.floor(limit));
  if (scope) return readScoped(db, after, head, max, scope);
  const { rows } = await db.query<EventRow>(
    `SELECT id::text AS id, thread_id, type, v::float8 AS v, payload FROM syncline_events
     WHERE syncline_events.id > $1 ORDER BY syncline_events.id LIMIT $2`,
    [after, max],
  );
  if (pruned(after, head, rows.length > 0 ? Number(rows[0]!.id) : null)) return { reset: true, head };
  const events = rows.map(toEvent);
  const newest = events.length > 0 ? events[events.length - 1]!.cursor : head;
  return { reset: false, head: Number(newest) > Number(head) ? newest : head, events };
}

interface WindowRow {
  thread_id: string;
  n: number;
  bytes: number;
  first: string;
  last: string;
}

/**
 * A resume's read (ReplayScope): first the window's threads with their counts and weights
 * (octet_length reads a stored text's size, not the text), then only the visible threads' rows.
 * The two reads may see different rows if the log is pruned in between: then the counts differ
 * and the answer is `reset`, never a replay with a hole.
 */
async function readScoped(db: SqlSession, after: number, head: string, limit: number, scope: ReplayScope): Promise<EventsRead> {
  const { rows: threads } = await db.query<WindowRow>(
    `SELECT thread_id, count(*)::float8 AS n, sum(64 + coalesce(size, 0))::float8 AS bytes,
            min(w.id)::text AS first, max(w.id)::text AS last
     FROM (SELECT syncline_events.id, thread_id, octet_length(payload) AS size FROM syncline_events
           WHERE syncline_events.id > $1 ORDER BY syncline_events.id LIMIT $2) w
     GROUP BY thread_id LIMIT $3`,
    [after, limit, scope.maxThreads + 1],
  );
  const firstId = threads.length > 0 ? Math.min(...threads.map((t) => Number(t.first))) : null;
  if (pruned(after, head, firstId)) return { reset: true, head };
  const visible = await visibleThreads(new Map(threads.map((t) => [t.thread_id, Number(t.bytes)])), scope);
  if (visible === null) return { reset: true, head };
  const through = threads.length > 0 ? String(Math.max(...threads.map((t) => Number(t.last)))) : head;
  const scanned = threads.reduce((n, t) => n + Number(t.n), 0);
  const shown = threads.filter((t) => visible.has(t.thread_id));
  let events: StoredEvent[] = [];
  if (shown.length > 0) {
    const { rows } = await db.query<EventRow>(
      `SELECT id::text AS id, thread_id, type, v::float8 AS v, payload FROM syncline_events
       WHERE syncline_events.id > $1 AND syncline_events.id <= $2 AND thread_id = ANY($3::text[])
       ORDER BY syncline_events.id`,
      [after, Number(through), shown.map((t) => t.thread_id)],
    );
    if (rows.length !== shown.reduce((n, t) => n + Number(t.n), 0)) return { reset: true, head };
    events = rows.map(toEvent);
  }
  const newest = Number(through) > Number(head) ? through : head;
  return { reset: false, head: newest, events, scanned, through };
}
