import type { SqlSession } from './postgresDatabase.js';
import type { EventsRead, StoredEvent } from './types.js';

/*
 * The event log in PostgreSQL, shared by every instance. Cursors come from the single row of
 * syncline_log, bumped as the last step of a writing transaction: the row lock makes commit
 * order cursor order and the cursors gap-free (a rolled-back transaction rolls its bump back).
 * So a reader that finds a hole between its cursor and the oldest row knows rows were pruned.
 */

export type NewEvent =
  | { type: 'thread'; threadId: string; v: number }
  | { type: 'delta'; threadId: string; messageId: string; v: number; text: string };

interface EventRow {
  id: string;
  thread_id: string;
  type: 'thread' | 'delta';
  v: number;
  payload: string | null;
}

/**
 * Appends `events` inside the caller's transaction and prunes rows beyond `logLimit` now and
 * then (every tenth of it), so the table stays bounded without a job of its own.
 */
export async function appendEvents(tx: SqlSession, events: NewEvent[], logLimit: number): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const { rows } = await tx.query<{ head: string }>('UPDATE syncline_log SET head = head + $1 RETURNING head::text AS head', [events.length]);
  const last = Number(rows[0]!.head);
  const first = last - events.length + 1;
  await tx.query(
    `INSERT INTO syncline_events (id, thread_id, type, v, payload)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[])`,
    [
      events.map((_, i) => first + i),
      events.map((e) => e.threadId),
      events.map((e) => e.type),
      events.map((e) => e.v),
      // JSON text: escapes U+0000, which a text column refuses, in a streamed token.
      events.map((e) => (e.type === 'delta' ? JSON.stringify({ messageId: e.messageId, text: e.text }) : null)),
    ],
  );
  const every = Math.max(1, Math.floor(logLimit / 10));
  if (last > logLimit && Math.floor(last / every) !== Math.floor((first - 1) / every)) {
    await tx.query('DELETE FROM syncline_events WHERE id <= $1', [last - logLimit]);
  }
  return events.map((e, i) => ({ ...e, cursor: String(first + i) }));
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
  return { cursor: row.id, type: 'thread', threadId: row.thread_id, v };
}

/** Entries after `cursor`, at most `limit`; `reset` for a cursor the log cannot continue from. */
export async function readEvents(db: SqlSession, cursor: string, limit: number): Promise<EventsRead> {
  const head = await readHead(db);
  if (!/^\d{1,15}$/.test(cursor)) return { reset: true, head };
  const after = Number(cursor);
  if (after > Number(head)) return { reset: true, head };
  const { rows } = await db.query<EventRow>(
    `SELECT id::text AS id, thread_id, type, v::float8 AS v, payload FROM syncline_events WHERE id > $1 ORDER BY id LIMIT $2`,
    [after, Math.max(1, Math.floor(limit))],
  );
  // Gap-free ids: anything but cursor + 1 first (while entries exist after it) means pruned.
  const firstId = rows.length > 0 ? Number(rows[0]!.id) : null;
  if ((firstId === null && after < Number(head)) || (firstId !== null && firstId !== after + 1)) {
    return { reset: true, head };
  }
  const events = rows.map(toEvent);
  const newest = events.length > 0 ? events[events.length - 1]!.cursor : head;
  return { reset: false, head: Number(newest) > Number(head) ? newest : head, events };
}
