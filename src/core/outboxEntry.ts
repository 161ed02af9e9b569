import { SyncError } from './errors.js';
import type { PendingWrite, StoredError, StoredWrite, WireMutation } from './types.js';

/** One write inside the outbox: the public snapshot plus what only the outbox needs. */
export interface OutboxEntry {
  clientId: string;
  /** The current public snapshot; replaced (never mutated) on every change. */
  write: PendingWrite;
  /** Resolves once the write is in storage: it is never sent before. */
  persisted: Promise<void>;
  settle: { resolve(): void; reject(error: SyncError): void };
}

export function createSettled(): { promise: Promise<void>; resolve(): void; reject(e: SyncError): void } {
  let resolve!: () => void;
  let reject!: (e: SyncError) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed write is shown in the UI; nobody has to await `settled` for that to be handled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** An entry for a stored write (or a new one): failed writes come back already settled. */
export function entryFrom(stored: Omit<StoredWrite, 'lastError'> & { lastError: SyncError | null }): OutboxEntry {
  const settled = createSettled();
  if (stored.state === 'failed') settled.reject(stored.lastError ?? new SyncError('rejected', 'The write failed.'));
  const { clientId, lastError, ...write } = stored;
  return {
    clientId,
    persisted: Promise.resolve(),
    settle: settled,
    write: { ...write, lastError, settled: settled.promise },
  };
}

export function toStoredError(error: SyncError | null): StoredError | null {
  if (!error) return null;
  const stored: StoredError = { kind: error.kind, message: error.message };
  if (error.status !== undefined) stored.status = error.status;
  if (error.code !== undefined) stored.code = error.code;
  return stored;
}

export function fromStoredError(stored: StoredError | null): SyncError | null {
  if (!stored) return null;
  const kind = stored.kind as SyncError['kind'];
  return new SyncError(kind, stored.message, {
    ...(stored.status === undefined ? {} : { status: stored.status }),
    ...(stored.code === undefined ? {} : { code: stored.code }),
  });
}

export function toStored(entry: OutboxEntry): StoredWrite {
  const w = entry.write;
  return {
    id: w.id,
    clientId: entry.clientId,
    seq: w.seq,
    threadId: w.threadId,
    name: w.name,
    args: w.args,
    createdAt: w.createdAt,
    attempts: w.attempts,
    state: w.state === 'failed' ? 'failed' : 'queued',
    lastError: toStoredError(w.lastError),
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
  return new SyncError(
    'rejected',
    `The server refused ${name}: ${error.message.trim()}${/[.!?]$/.test(error.message.trim()) ? '' : '.'} ` +
      'It was rolled back; retry or discard it.',
    { code: error.code },
  );
}
