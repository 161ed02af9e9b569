import type { HealthStatus } from '../../model/types.js';

/**
 * What the client did on the network, one event at a time (docs/metrics.md): the metrics count
 * them and `<SyncInspector />` (syncline/devtools) draws them. `at` is the client's clock, in ms.
 */
export type SyncTraceEvent =
  | { type: 'write-queued'; at: number; writeId: string; threadId: string; name: string }
  /** One push request: the writes it carries, its body's length. */
  | { type: 'push'; at: number; writes: TracedWrite[]; bytes: number }
  /** The server's answer to a push, per write. */
  | { type: 'push-answer'; at: number; ms: number; bytes: number; results: TracedResult[] }
  /** A push or pull that got no answer: the HTTP status when there was one, the SyncError's kind. */
  | { type: 'request-failed'; at: number; ms: number; request: 'push' | 'pull'; status: number | null; kind: string; message: string }
  | { type: 'write-settled'; at: number; writeId: string; threadId: string; outcome: 'acknowledged' | 'failed' | 'discarded'; latencyMs: number; attempts: number }
  | { type: 'retry-scheduled'; at: number; retryAt: number }
  | { type: 'pull'; at: number; ms: number; threads: number; bytesSent: number; bytesReceived: number }
  | { type: 'stream-opened'; at: number }
  | { type: 'stream-event'; at: number; event: string; threadId: string | null; bytes: number }
  | { type: 'stream-closed'; at: number; kind: string | null; status: number | null }
  | { type: 'health'; at: number; state: HealthStatus['state']; reason: HealthStatus['degradedReason']; transport: HealthStatus['transport'] }
  | { type: 'tab-role'; at: number; role: TabRole };

export type TabRole = 'alone' | 'leader' | 'follower';

export interface TracedWrite {
  writeId: string;
  threadId: string;
  seq: number;
}

export interface TracedResult extends TracedWrite {
  status: 'applied' | 'duplicate' | 'rejected';
  /** A rejected write's error code. */
  code?: string;
}

export type TraceListener = (event: SyncTraceEvent) => void;

/** Listeners of one client; a listener that throws is reported, never breaks sync. */
export interface Trace {
  emit(event: SyncTraceEvent): void;
  observe(listener: TraceListener): () => void;
  /** Whether anything listens: without a listener no event is built (no cost on the write path). */
  observed(): boolean;
}

export function createTrace(): Trace {
  const listeners = new Set<TraceListener>();
  return {
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          console.error('[syncline] observe() listener threw', error);
        }
      }
    },
    observe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    observed: () => listeners.size > 0,
  };
}

/** Emits `health` only when the state, the reason or the transport changed (not on every frame). */
export function traceHealth(trace: Trace, now: () => number): (h: HealthStatus) => void {
  let last = '';
  return (h) => {
    const key = `${h.state}/${h.degradedReason}/${h.transport}`;
    if (key === last || !trace.observed()) return;
    last = key;
    trace.emit({ type: 'health', at: now(), state: h.state, reason: h.degradedReason, transport: h.transport });
  };
}
