import type { Clock } from '../platform/clock.js';
import type { PullRequest, PushRequest } from '../protocol/wire.js';
import type { LogEntry } from '../testing/eventLog.js';
import { BackendRequestError, createReferenceBackend } from '../testing/referenceBackend.js';
import type { ReferenceBackend } from '../testing/referenceBackend.js';
import { ServerError } from './serverError.js';
import type { ServerStore, StoredEvent } from './types.js';

export interface MemoryStoreOptions {
  /** Stamps `createdAt` of the threads a first mutation creates. @default systemClock */
  clock?: Clock;
  /** Event-log entries kept for resuming streams; an older cursor gets `reset`. @default 10000 */
  logLimit?: number;
}

export interface MemoryStore extends ServerStore {
  /**
   * The synchronous reference backend underneath (the one `syncline/testing` exports): tests and
   * the dev server read threads and counters from it. A write made on it directly is not
   * published on any bus; use the handler's `serverWrite`.
   */
  readonly backend: ReferenceBackend;
}

export function toStoredEvent(entry: LogEntry): StoredEvent {
  return entry.type === 'delta'
    ? { cursor: entry.id, type: 'delta', threadId: entry.threadId, messageId: entry.messageId, v: entry.v, text: entry.text }
    : { cursor: entry.id, type: 'thread', threadId: entry.threadId, v: entry.v };
}

/**
 * The embedded store: everything in this process's memory, lost on restart. One instance only
 * (its cursors are not shared); for several, use createPostgresStore.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const backend = createReferenceBackend({ clock: options.clock, logLimit: options.logLimit });
  // The log appends synchronously inside push/serverWrite: collect what one call appended.
  let appended: StoredEvent[] | null = null;
  backend.subscribe((entry) => appended?.push(toStoredEvent(entry)));
  function capture<T>(run: () => T): { value: T; events: StoredEvent[] } {
    const events: StoredEvent[] = [];
    appended = events;
    try {
      return { value: run(), events };
    } finally {
      appended = null;
    }
  }

  return {
    backend,
    push(request: PushRequest, mutators) {
      try {
        const { value, events } = capture(() => backend.push(request, mutators));
        return Promise.resolve({ response: value, events });
      } catch (err) {
        if (!(err instanceof BackendRequestError)) return Promise.reject(err);
        const code = err.status === 409 ? 'fenced' : 'bad-request';
        return Promise.reject(new ServerError(err.status, code, err.message));
      }
    },
    pull(known) {
      const request: PullRequest = { clientId: '', threads: Object.fromEntries(known) };
      return Promise.resolve(backend.pull(request));
    },
    eventsSince(cursor, limit) {
      const read = backend.eventsSince(cursor);
      if (read.reset) return Promise.resolve(read);
      const events = read.entries.slice(0, Math.max(0, limit)).map(toStoredEvent);
      return Promise.resolve({ reset: false, head: read.head, events });
    },
    head: () => Promise.resolve(backend.cursor()),
    thread: (id) => Promise.resolve(backend.snapshot(id)),
    serverWrite(threadId, name, args, mutators) {
      const { value, events } = capture(() => backend.serverWrite(threadId, name, args, mutators));
      return Promise.resolve({ result: value, events });
    },
    close: () => Promise.resolve(),
  };
}
