import type { SqlSession } from './postgresDatabase.js';
import type { EventsRead, StoredEvent } from './types.js';

/*
 * Reading the event log shared by every instance (written by postgresWrite.ts, whose cursors are
 * gap-free and in commit order).
 */

interface EventRow {
  id: string;
  thread_id: string;
  type: 'thread' | 'delta';
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
