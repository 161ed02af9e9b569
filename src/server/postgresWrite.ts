import type { SqlSession } from './postgresDatabase.js';
import type { Changes, NewEvent } from './semantics/transaction.js';
import { writeThreads, type ThreadRow } from './postgresThreads.js';
import type { StoredEvent } from './types.js';

/** What can be stored of a text that may hold U+0000 (kept only for the record). */
const stripNul = (text: string) => text.replaceAll('\u0000', '');

/*
 * Statements (data-modifying CTEs), the last before COMMIT. First the threads (their ops, or a
 * snapshot: postgresThreads.ts), then the results and the client. The second bumps the log head
 * and appends the events: the head's row lock serialises every writer of the database, so it is
 * taken last and held only for this small statement and the commit. Cursors come from that
 * single row: commit order is cursor order, and they are gap-free (a rolled-back transaction
 * rolls its bump back), so a reader that finds a hole below the oldest row knows rows were
 * pruned. Old event rows are pruned there too, every tenth of `logLimit`, so the log stays
 * bounded without a job of its own.
 */
const WRITE_STATE = `
WITH
  mutations_w AS (
    INSERT INTO syncline_mutations (client_id, seq, mutation_id, thread_id, name, status, v, error_code, error_message, at)
    SELECT $1, r.*, $13 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[]) AS r
  )
UPDATE syncline_clients SET epoch = $10, last_seq = $11, pruned_seq = $12, active_at = $13 WHERE client_id = $1`;

const APPEND_EVENTS = `
WITH
  head AS (
    UPDATE syncline_log SET head = head + $1 RETURNING head
  ),
  events_w AS (
    INSERT INTO syncline_events (id, thread_id, type, v, payload)
    SELECT head.head - $1 + e.ord, e.thread_id, e.type, e.v, e.payload
    FROM head, unnest($2::text[], $3::text[], $4::bigint[], $5::text[]) WITH ORDINALITY AS e(thread_id, type, v, payload, ord)
  ),
  pruned AS (
    DELETE FROM syncline_events
    WHERE id <= (SELECT head FROM head) - $6::bigint
      AND (SELECT head FROM head) / $7::bigint <> ((SELECT head FROM head) - $1) / $7::bigint
  )
SELECT head::text AS head FROM head`;

/** JSON text: escapes U+0000, which a text column refuses, in a streamed token. */
function payloadOf(e: NewEvent): string | null {
  if (e.type === 'patch') return JSON.stringify(e.ops);
  return e.type === 'delta' ? JSON.stringify({ messageId: e.messageId, text: e.text }) : null;
}

/**
 * @param now the store's clock: when the results are recorded and the client was active.
 * @param threadRows the changed threads' rows as read under their locks (src/server/postgresThreads.ts)
 */
export async function writeChanges(
  tx: SqlSession,
  changes: Changes,
  threadRows: ReadonlyMap<string, ThreadRow>,
  logLimit: number,
  now: number,
): Promise<StoredEvent[]> {
  const { threads, client, events } = changes;
  const recorded = client?.recorded ?? [];
  await writeThreads(tx, threads, events, threadRows);
  if (client) await tx.query(WRITE_STATE, [
    client.clientId,
    recorded.map((r) => r.seq),
    // Kept for the record only: an id holding U+0000 was rejected, and text cannot store it.
    recorded.map((r) => stripNul(r.id)),
    recorded.map((r) => stripNul(r.threadId)),
    recorded.map((r) => stripNul(r.name)),
    recorded.map((r) => r.result.status),
    recorded.map((r) => (r.result.status === 'applied' ? r.result.v : null)),
    recorded.map((r) => (r.result.status === 'rejected' ? stripNul(r.result.error.code) : null)),
    recorded.map((r) => (r.result.status === 'rejected' ? stripNul(r.result.error.message) : null)),
    client.epoch,
    client.lastSeq,
    client.prunedSeq,
    now,
  ]);
  if (events.length === 0) return [];
  const { rows } = await tx.query<{ head: string }>(APPEND_EVENTS, [
    events.length,
    events.map((e) => e.threadId),
    events.map((e) => e.type),
    events.map((e) => e.v),
    events.map(payloadOf),
    logLimit,
    Math.max(1, Math.floor(logLimit / 10)),
  ]);
  const last = Number(rows[0]!.head);
  const first = last - events.length + 1;
  return events.map((e, i) => ({ ...e, cursor: String(first + i) }));
}
