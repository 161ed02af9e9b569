import type { SyncTraceEvent } from '../client/metrics/trace.js';
import type { AnySyncClient } from '../client/types.js';

/**
 * What `<SyncInspector />` draws, framework-free (docs/devtools.md): the client's trace events
 * (src/client/metrics/trace.ts) in a bounded ring, grouped per write, filterable by thread.
 */
export interface TimelineOptions {
  /**
   * How many events are kept; older ones are counted in `dropped`, never lost silently.
   * @default 1000
   */
  limit?: number;
}

export interface TimelineEntry {
  /** Increasing number of the event since the timeline was created (stable React key). */
  n: number;
  event: SyncTraceEvent;
  /** The threads the event is about (empty for events about the client as a whole). */
  threads: readonly string[];
}

/** One push attempt of a write, and what came back. */
export interface WriteAttempt {
  at: number;
  /** `applied`, `duplicate`, `rejected`, `failed` (no answer) or `pending` (still in flight). */
  answer: 'applied' | 'duplicate' | 'rejected' | 'failed' | 'pending';
  /** The HTTP status of a failed request, when there was one. */
  status: number | null;
  /** The error's kind or the rejection's code. */
  detail: string | null;
  ms: number | null;
}

export interface WriteGroup {
  writeId: string;
  threadId: string;
  /** The mutation's name, when the timeline saw it queued. */
  name: string | null;
  queuedAt: number | null;
  attempts: WriteAttempt[];
  outcome: 'acknowledged' | 'failed' | 'discarded' | null;
  latencyMs: number | null;
}

export interface TimelineSnapshot {
  entries: readonly TimelineEntry[];
  /** Events older than the kept ones that were not kept (the ring is bounded). */
  dropped: number;
  /** Every thread the timeline saw, in the order first seen. */
  threads: readonly string[];
}

/** The plain data "Copy as JSON" puts on the clipboard: events only, no headers or tokens. */
export interface TimelineReport {
  kind: 'syncline-timeline';
  version: 1;
  dropped: number;
  threadId: string | null;
  events: SyncTraceEvent[];
  writes: WriteGroup[];
}

export interface Timeline {
  /** Listens to the client while at least one subscriber does (attached on the first, detached on the last). */
  subscribe(listener: () => void): () => void;
  /** The same object until the next event (for `useSyncExternalStore`). */
  getSnapshot(): TimelineSnapshot;
  toJSON(threadId?: string | null): TimelineReport;
  clear(): void;
}

export const DEFAULT_TIMELINE_LIMIT = 1000;

export function createTimeline(client: Pick<AnySyncClient, 'observe'>, options: TimelineOptions = {}): Timeline {
  const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_TIMELINE_LIMIT));
  const listeners = new Set<() => void>();
  let detach: (() => void) | null = null;
  // A ring written in place: recording runs for every trace event (a streamed reply is one per
  // token) from the moment the inspector mounts, so it copies nothing; the snapshot is built
  // only when someone reads it.
  let ring: TimelineEntry[] = [];
  let oldest = 0;
  let dropped = 0;
  let count = 0;
  const threads = new Set<string>();
  let snapshot: TimelineSnapshot | null = null;
  const ordered = () => (oldest === 0 ? [...ring] : [...ring.slice(oldest), ...ring.slice(0, oldest)]);
  const changed = () => {
    snapshot = null;
    for (const listener of listeners) listener();
  };

  const record = (event: SyncTraceEvent) => {
    const about = threadsOf(event);
    for (const id of about) threads.add(id);
    const entry = { n: count++, event, threads: about };
    if (ring.length < limit) {
      ring.push(entry);
    } else {
      ring[oldest] = entry;
      oldest = (oldest + 1) % limit;
      dropped += 1;
    }
    changed();
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      detach ??= client.observe(record);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && detach) {
          detach();
          detach = null;
        }
      };
    },
    getSnapshot: () => (snapshot ??= { entries: ordered(), dropped, threads: [...threads] }),
    toJSON(threadId = null) {
      const kept = filterByThread(ordered(), threadId);
      return { kind: 'syncline-timeline', version: 1, dropped, threadId, events: kept.map((e) => e.event), writes: groupWrites(kept, threadId) };
    },
    clear() {
      ring = [];
      oldest = 0;
      dropped = 0;
      threads.clear();
      changed();
    },
  };
}

/** The entries about `threadId` (all of them for null); a push carrying writes of several threads is about each. */
export function filterByThread(entries: readonly TimelineEntry[], threadId: string | null): TimelineEntry[] {
  if (threadId === null) return [...entries];
  return entries.filter((e) => e.threads.includes(threadId));
}

function threadsOf(event: SyncTraceEvent): string[] {
  switch (event.type) {
    case 'write-queued':
    case 'write-settled':
      return [event.threadId];
    case 'push':
      return unique(event.writes.map((w) => w.threadId));
    case 'push-answer':
      return unique(event.results.map((r) => r.threadId));
    case 'stream-event':
      return event.threadId === null ? [] : [event.threadId];
    default:
      return [];
  }
}

const unique = (ids: string[]) => [...new Set(ids)];

/**
 * Each write of the entries with its attempts: a push opens an attempt for every write it
 * carries; the next push answer (per write) or failed push request closes them. With
 * `threadId`, only that thread's writes (a push may carry several threads').
 */
export function groupWrites(entries: readonly TimelineEntry[], threadId: string | null = null): WriteGroup[] {
  const groups = new Map<string, WriteGroup>();
  let inFlight: WriteAttempt[] = [];
  const group = (writeId: string, threadId: string) => {
    let g = groups.get(writeId);
    if (!g) {
      g = { writeId, threadId, name: null, queuedAt: null, attempts: [], outcome: null, latencyMs: null };
      groups.set(writeId, g);
    }
    return g;
  };
  const byWrite = new Map<string, WriteAttempt>();
  for (const { event } of entries) {
    if (event.type === 'write-queued') {
      const g = group(event.writeId, event.threadId);
      g.name = event.name;
      g.queuedAt = event.at;
    } else if (event.type === 'push') {
      inFlight = [];
      byWrite.clear();
      for (const w of event.writes) {
        const attempt: WriteAttempt = { at: event.at, answer: 'pending', status: null, detail: null, ms: null };
        group(w.writeId, w.threadId).attempts.push(attempt);
        inFlight.push(attempt);
        byWrite.set(w.writeId, attempt);
      }
    } else if (event.type === 'push-answer') {
      for (const r of event.results) {
        const attempt = byWrite.get(r.writeId);
        if (!attempt) continue;
        attempt.answer = r.status;
        attempt.detail = r.code ?? null;
        attempt.ms = event.ms;
      }
      inFlight = [];
      byWrite.clear();
    } else if (event.type === 'request-failed' && event.request === 'push') {
      for (const attempt of inFlight) {
        attempt.answer = 'failed';
        attempt.status = event.status;
        attempt.detail = event.kind;
        attempt.ms = event.ms;
      }
      inFlight = [];
      byWrite.clear();
    } else if (event.type === 'write-settled') {
      const g = group(event.writeId, event.threadId);
      g.outcome = event.outcome;
      g.latencyMs = event.latencyMs;
    }
  }
  const all = [...groups.values()];
  return threadId === null ? all : all.filter((g) => g.threadId === threadId);
}
