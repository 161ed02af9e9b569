import type { Thread } from '../core/types.js';
import { stripNul } from './postgresApply.js';
import type { SqlSession } from './postgresDatabase.js';
import type { StoredEvent, WriteResult } from './types.js';

export type NewEvent =
  | { type: 'thread'; threadId: string; v: number }
  | { type: 'delta'; threadId: string; messageId: string; v: number; text: string };

/** What one transaction writes once its mutations ran in memory. */
export interface Changes {
  threads: Thread[];
  /** The first result of every new (clientId, seq), and the client's new epoch and lastSeq. */
  client?: {
    clientId: string;
    epoch: number;
    lastSeq: number;
    recorded: { seq: number; id: string; threadId: string; name: string; result: WriteResult }[];
  };
  events: NewEvent[];
}

/*
 * Everything in ONE statement (data-modifying CTEs), the last before COMMIT: a push costs a
 * round trip here instead of five, and the log head's row lock, which serialises every writer of
 * the database, is held only from this statement to the commit. Cursors come from that single
 * row: commit order is cursor order, and they are gap-free (a rolled-back transaction rolls its
 * bump back), so a reader that finds a hole below the oldest row knows rows were pruned. Old
 * event rows are pruned here too, every tenth of `logLimit`, so the log stays bounded without a
 * job of its own.
 */
const WRITE = `
WITH
  threads_w AS (
    INSERT INTO syncline_threads (id, v, body)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
    ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, body = EXCLUDED.body, updated_at = now()
  ),
  mutations_w AS (
    INSERT INTO syncline_mutations (client_id, seq, mutation_id, thread_id, name, status, v, error_code, error_message)
    SELECT $4, * FROM unnest($5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[])
  ),
  client_w AS (
    UPDATE syncline_clients SET epoch = $13, last_seq = $14 WHERE client_id = $4
  ),
  head AS (
    UPDATE syncline_log SET head = head + $15 WHERE $15 > 0 RETURNING head
  ),
  events_w AS (
    INSERT INTO syncline_events (id, thread_id, type, v, payload)
    SELECT head.head - $15 + e.ord, e.thread_id, e.type, e.v, e.payload
    FROM head, unnest($16::text[], $17::text[], $18::bigint[], $19::text[]) WITH ORDINALITY AS e(thread_id, type, v, payload, ord)
  ),
  pruned AS (
    DELETE FROM syncline_events
    WHERE id <= (SELECT head FROM head) - $20::bigint
      AND (SELECT head FROM head) / $21::bigint <> ((SELECT head FROM head) - $15) / $21::bigint
  )
SELECT (SELECT head::text FROM head) AS head`;

export async function writeChanges(tx: SqlSession, changes: Changes, logLimit: number): Promise<StoredEvent[]> {
  const { threads, client, events } = changes;
  const recorded = client?.recorded ?? [];
  const { rows } = await tx.query<{ head: string | null }>(WRITE, [
    threads.map((t) => t.id),
    threads.map((t) => t.v),
    threads.map((t) => JSON.stringify(t)),
    client?.clientId ?? '',
    recorded.map((r) => r.seq),
    // Kept for the record only: an id holding U+0000 was rejected, and text cannot store it.
    recorded.map((r) => stripNul(r.id)),
    recorded.map((r) => stripNul(r.threadId)),
    recorded.map((r) => stripNul(r.name)),
    recorded.map((r) => r.result.status),
    recorded.map((r) => (r.result.status === 'applied' ? r.result.v : null)),
    recorded.map((r) => (r.result.status === 'rejected' ? stripNul(r.result.error.code) : null)),
    recorded.map((r) => (r.result.status === 'rejected' ? stripNul(r.result.error.message) : null)),
    client?.epoch ?? 0,
    client?.lastSeq ?? 0,
    events.length,
    events.map((e) => e.threadId),
    events.map((e) => e.type),
    events.map((e) => e.v),
    // JSON text: escapes U+0000, which a text column refuses, in a streamed token.
    events.map((e) => (e.type === 'delta' ? JSON.stringify({ messageId: e.messageId, text: e.text }) : null)),
    logLimit,
    Math.max(1, Math.floor(logLimit / 10)),
  ]);
  if (events.length === 0) return [];
  const last = Number(rows[0]!.head);
  const first = last - events.length + 1;
  return events.map((e, i) => ({ ...e, cursor: String(first + i) }));
}
