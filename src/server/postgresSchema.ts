import type { SqlDatabase } from './postgresDatabase.js';

/*
 * The PostgreSQL schema, as migrations shipped inside the package (TS strings: nothing to copy
 * at build time). Each migration is a list of single statements (PGlite runs one per query) and
 * is applied once, in order, recorded in syncline_schema. Never edit a released migration:
 * append a new one.
 *
 * Bodies are stored as JSON text, not jsonb: text keeps a thread exactly as the mutators left it
 * (jsonb refuses "\u0000" inside strings, which a message may hold). A body is the snapshot at
 * `body_v`; the ops of later versions are rows of syncline_thread_ops (src/server/postgresThreads.ts).
 */
export const postgresMigrations: readonly (readonly string[])[] = [
  [
    // One row per thread: its current version, whole.
    `CREATE TABLE syncline_threads (
       id text PRIMARY KEY,
       v bigint NOT NULL,
       body text NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    // One row per outbox (clientId): the highest epoch seen fences older writers.
    `CREATE TABLE syncline_clients (
       client_id text PRIMARY KEY,
       epoch bigint NOT NULL,
       last_seq bigint NOT NULL
     )`,
    // The first result of every (clientId, seq): the primary key makes each apply exactly once.
    `CREATE TABLE syncline_mutations (
       client_id text NOT NULL,
       seq bigint NOT NULL,
       mutation_id text NOT NULL,
       thread_id text NOT NULL,
       name text NOT NULL,
       status text NOT NULL CHECK (status IN ('applied', 'rejected')),
       v bigint,
       error_code text,
       error_message text,
       created_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (client_id, seq)
     )`,
    // The head of the event log. Taken with a row lock as the last step of each writing
    // transaction, so cursors are gap-free and commit order is cursor order: a reader that has
    // seen cursor c never sees an entry below c appear later (a bigserial alone allows that).
    `CREATE TABLE syncline_log (
       one boolean PRIMARY KEY DEFAULT true CHECK (one),
       head bigint NOT NULL
     )`,
    `INSERT INTO syncline_log (one, head) VALUES (true, 0)`,
    // The event log shared by all instances; old rows are pruned (their cursors answer reset).
    `CREATE TABLE syncline_events (
       id bigint PRIMARY KEY,
       thread_id text NOT NULL,
       type text NOT NULL CHECK (type IN ('thread', 'delta')),
       v bigint NOT NULL,
       payload text,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
  [
    // The principal (identify's answer) that first used each clientId: another one is refused.
    `ALTER TABLE syncline_clients ADD COLUMN principal text`,
  ],
  [
    // Idempotency retention (src/server/semantics/retention.ts): times are the store's clock, in
    // ms. Rows already there count as recorded (and active) when this migration ran.
    `ALTER TABLE syncline_clients ADD COLUMN pruned_seq bigint NOT NULL DEFAULT 0`,
    `ALTER TABLE syncline_clients ADD COLUMN active_at bigint NOT NULL DEFAULT 0`,
    `UPDATE syncline_clients SET active_at = (extract(epoch FROM now()) * 1000)::bigint`,
    `CREATE INDEX syncline_clients_active_at ON syncline_clients (active_at)`,
    `ALTER TABLE syncline_mutations ADD COLUMN at bigint NOT NULL DEFAULT 0`,
    `UPDATE syncline_mutations SET at = (extract(epoch FROM created_at) * 1000)::bigint`,
    `CREATE INDEX syncline_mutations_at ON syncline_mutations (at)`,
    // The latest last push of a client the store has forgotten (0: none yet).
    `CREATE TABLE syncline_retention (
       one boolean PRIMARY KEY DEFAULT true CHECK (one),
       forgotten_active bigint NOT NULL
     )`,
    `INSERT INTO syncline_retention (one, forgotten_active) VALUES (true, 0)`,
  ],
  [
    // Protocol v2 (docs/protocol.md): a version's entry holds its ops (payload: their JSON).
    `ALTER TABLE syncline_events DROP CONSTRAINT syncline_events_type_check`,
    `ALTER TABLE syncline_events ADD CONSTRAINT syncline_events_type_check CHECK (type IN ('thread', 'delta', 'patch'))`,
    // A thread is its snapshot at body_v plus one row of ops per later version
    // (src/server/postgresThreads.ts): a write costs the size of its change.
    `ALTER TABLE syncline_threads ADD COLUMN body_v bigint NOT NULL DEFAULT 0`,
    `ALTER TABLE syncline_threads ADD COLUMN body_bytes bigint NOT NULL DEFAULT 0`,
    `ALTER TABLE syncline_threads ADD COLUMN ops_bytes bigint NOT NULL DEFAULT 0`,
    `UPDATE syncline_threads SET body_v = v, body_bytes = octet_length(body)`,
    `CREATE TABLE syncline_thread_ops (
       thread_id text NOT NULL,
       v bigint NOT NULL,
       ops text NOT NULL,
       PRIMARY KEY (thread_id, v)
     )`,
    // A v2 pull reads one thread's entries since a version.
    `CREATE INDEX syncline_events_thread_v ON syncline_events (thread_id, v)`,
  ],
];

/** Two-key advisory locks of syncline: this class id, then a hash of what is locked. */
export const LOCK_CLASS = 0x5359; // "SY"
const MIGRATION_LOCK = 0;
/** Taken (tried) by a prune of idempotency rows: one instance prunes at a time. */
export const PRUNE_LOCK = 2;

/**
 * Applies the migrations this database has not had yet, in one transaction, under an advisory
 * lock: instances that start together migrate once.
 * @returns the versions applied now.
 */
export async function migrate(db: SqlDatabase): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS syncline_schema (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM syncline_schema');
    const current = rows[0]?.version ?? 0;
    if (current > postgresMigrations.length) {
      throw new Error(
        `This database has syncline schema version ${current}, newer than this package knows (${postgresMigrations.length}): upgrade syncline.`,
      );
    }
    const applied: number[] = [];
    for (let version = current + 1; version <= postgresMigrations.length; version++) {
      for (const statement of postgresMigrations[version - 1]!) await tx.query(statement);
      await tx.query('INSERT INTO syncline_schema (version) VALUES ($1)', [version]);
      applied.push(version);
    }
    return applied;
  });
}
