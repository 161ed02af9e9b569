// The outbox as persisted (docs/outbox.md): plain data only, never a header or a token.

/** A write as persisted: no promise, the error as plain data. Never holds headers or tokens. */
export interface StoredWrite {
  id: string;
  /** The outbox (client instance) that allocated `seq`; the pair is what the server de-duplicates. */
  clientId: string;
  seq: number;
  threadId: string;
  name: string;
  args: unknown;
  createdAt: number;
  attempts: number;
  state: 'queued' | 'failed';
  lastError: StoredError | null;
  /**
   * A push of it ended without an answer (network, timeout, 5xx, 408, 429, unreadable): the
   * server may have applied it, so every later attempt keeps this `(clientId, seq)`.
   */
  maybeApplied?: boolean;
}

export interface StoredError {
  kind: string;
  message: string;
  status?: number;
  code?: string;
}

/**
 * Per-namespace bookkeeping. `epoch` grows each time a client loads the outbox (a new writer takes
 * over); `lastSeq` remembers, per clientId, the highest seq handed out, so an explicit clientId
 * never reuses a seq after its acknowledged writes were deleted.
 */
export interface OutboxMeta {
  epoch: number;
  lastSeq: Record<string, number>;
}

/**
 * Where the outbox lives between page loads. One namespace never sees another's writes.
 * Every method may reject; the client reports that as a `storage` SyncError.
 */
export interface OutboxStorage {
  loadMeta(namespace: string): Promise<OutboxMeta | undefined>;
  saveMeta(namespace: string, meta: OutboxMeta): Promise<void>;
  /** Every stored write of the namespace, in `seq` order. */
  loadWrites(namespace: string): Promise<StoredWrite[]>;
  /** Insert or replace by `id`. */
  putWrites(namespace: string, writes: StoredWrite[]): Promise<void>;
  deleteWrites(namespace: string, ids: string[]): Promise<void>;
}
