import type { SqlDatabase } from './postgresDatabase.js';
import { LOCK_CLASS, PRUNE_LOCK } from './postgresSchema.js';

/*
 * Idempotency retention on PostgreSQL (src/server/semantics/retention.ts; docs/server.md,
 * "Idempotency retention"): clients idle past the retention are deleted with their results, and
 * the latest of their last pushes is kept in `syncline_retention`; results recorded before it
 * are deleted and their client's `pruned_seq` raised. In batches of PRUNE_BATCH rows, each its
 * own transaction, under a lock only one instance holds (the others skip their turn).
 *
 * Against a push of the same client: both take the client's row lock (the push first, as it
 * starts; the prune when it deletes the row or raises `pruned_seq`), so a push sees either the
 * rows and the old `pruned_seq`, or neither and the new one.
 */

const PRUNE_BATCH = 5000;

const FORGET_CLIENTS = `
WITH idle AS (
  DELETE FROM syncline_clients
  WHERE client_id IN (SELECT client_id FROM syncline_clients WHERE active_at < $1 ORDER BY active_at LIMIT $2)
    AND active_at < $1
  RETURNING client_id, active_at
),
results AS (
  DELETE FROM syncline_mutations m USING idle WHERE m.client_id = idle.client_id RETURNING 1
),
horizon AS (
  UPDATE syncline_retention SET forgotten_active = GREATEST(forgotten_active, (SELECT max(active_at) FROM idle))
  WHERE EXISTS (SELECT 1 FROM idle)
)
SELECT (SELECT count(*) FROM idle)::float8 AS clients, (SELECT count(*) FROM results)::float8 AS results`;

const PRUNE_RESULTS = `
WITH gone AS (
  DELETE FROM syncline_mutations
  WHERE (client_id, seq) IN (SELECT client_id, seq FROM syncline_mutations WHERE at < $1 ORDER BY at LIMIT $2)
  RETURNING client_id, seq
),
raised AS (
  UPDATE syncline_clients c SET pruned_seq = GREATEST(c.pruned_seq, g.seq)
  FROM (SELECT client_id, max(seq) AS seq FROM gone GROUP BY client_id) g
  WHERE c.client_id = g.client_id
)
SELECT 0::float8 AS clients, (SELECT count(*) FROM gone)::float8 AS results`;

interface Counts {
  clients: number;
  results: number;
}

/** Deletes what is older than `cutoff` (store-clock ms); returns what went. */
export async function pruneIdempotency(db: SqlDatabase, cutoff: number): Promise<Counts> {
  const total: Counts = { clients: 0, results: 0 };
  for (const statement of [FORGET_CLIENTS, PRUNE_RESULTS]) {
    for (;;) {
      const batch = await db.transaction(async (tx) => {
        const { rows: lock } = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [LOCK_CLASS, PRUNE_LOCK]);
        if (!lock[0]?.ok) return null;
        const { rows } = await tx.query<Counts>(statement, [cutoff, PRUNE_BATCH]);
        return rows[0]!;
      });
      if (batch === null) return total; // another instance is pruning
      total.clients += batch.clients;
      total.results += batch.results;
      if (Math.max(batch.clients, batch.results) < PRUNE_BATCH) break;
    }
  }
  return total;
}

/** The `forgottenActive` of src/server/semantics/retention.ts, read after a client's row was created. */
export async function readForgottenActive(db: { query: SqlDatabase['query'] }): Promise<number> {
  const { rows } = await db.query<{ at: number }>('SELECT forgotten_active::float8 AS at FROM syncline_retention');
  return rows[0]?.at ?? 0;
}
