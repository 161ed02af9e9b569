import { SyncError, type SyncErrorKind } from '../model/errors.js';
import type { PendingWrite } from '../model/types.js';
import type { WireMutation } from '../protocol/wire.js';
import type { StoredError, StoredWrite } from '../platform/storage.js';

/** One write inside the outbox: the public snapshot plus what only the outbox needs. */
export interface OutboxEntry {
  clientId: string;
  /** The current public snapshot; replaced (never mutated) on every change. */
  write: PendingWrite;
  /** Resolves once the write is in storage: it is never sent before. */
  persisted: Promise<void>;
  settle: { resolve(): void; reject(error: SyncError): void };
  /** See StoredWrite.maybeApplied. */
  maybeApplied: boolean;
  /** Its last storing failed: it lives only in memory (its lastError says so while queued). */
  unstored?: boolean;
  /** Another tab's write, sent by this tab as the leader; not in this tab's view (docs/tabs.md). */
  foreign?: true;
}

/** An entry for a stored write (or a new one): failed writes come back already settled. */
export function entryFrom(stored: StoredWrite): OutboxEntry {
  // A failed write waits for a person: its error is not one syncline retries by itself.
  const lastError = fromStoredError(stored.lastError, stored.state === 'failed' ? false : undefined);
  let settle!: OutboxEntry['settle'];
  const settled = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A failed write is shown in the UI; nobody has to await `settled` for that to be handled.
  settled.catch(() => {});
  if (stored.state === 'failed') settle.reject(lastError ?? new SyncError('rejected', 'The write failed.'));
  const { clientId, ...write } = stored;
  const { maybeApplied = false, ...rest } = write;
  return { clientId, maybeApplied, persisted: Promise.resolve(), settle, write: { ...rest, lastError, settled } };
}

export function fromStoredError(stored: StoredError | null, retryable?: boolean): SyncError | null {
  return stored && new SyncError(stored.kind as SyncErrorKind, stored.message, { status: stored.status, code: stored.code, retryable });
}

export function toStoredError(error: SyncError | null): StoredError | null {
  return error && { kind: error.kind, message: error.message, status: error.status, code: error.code };
}

export function toStored(entry: OutboxEntry): StoredWrite {
  const { write } = entry;
  // Every field by name, not spread from toWire: this runs for each write stored, and a literal
  // keeps one object shape that structured cloning walks quickly.
  return {
    id: write.id,
    clientId: entry.clientId,
    seq: write.seq,
    threadId: write.threadId,
    name: write.name,
    args: write.args,
    createdAt: write.createdAt,
    attempts: write.attempts,
    state: write.state === 'failed' ? 'failed' : 'queued',
    lastError: toStoredError(write.lastError),
    maybeApplied: entry.maybeApplied,
  };
}

export function toWire(write: PendingWrite): WireMutation {
  return {
    seq: write.seq,
    id: write.id,
    threadId: write.threadId,
    name: write.name,
    args: write.args,
    createdAt: write.createdAt,
  };
}

/** The size a write adds to a push body, for the `maxBytes` bound. */
export function wireSize(write: PendingWrite): number {
  return JSON.stringify(toWire(write)).length + 1;
}

/** The error a write refused by the server carries: the server's words, and what to do. */
export function rejectionError(name: string, error: { code: string; message: string }): SyncError {
  const reason = error.message.trim();
  return new SyncError(
    'rejected',
    `The server refused ${name}: ${reason}${/[.!?]$/.test(reason) ? '' : '.'} It was rolled back; retry or discard it.`,
    { code: error.code },
  );
}
