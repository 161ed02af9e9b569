import type { PendingWrite } from '../model/types.js';

/**
 * The calls a part of the client makes on a part built after it (docs/architecture.md,
 * "Wiring"). The parts are built in dependency order; where two need each other (the outbox tells
 * the client of its writes and the client reads the outbox's list; the stream moves the poller and
 * the poller asks whether the stream is live; everything asks for a commit) the earlier one calls
 * through here, and the composition binds each call once, as soon as its part exists. A call
 * before its binding throws, naming the call, instead of reading a variable not yet declared.
 */
export interface Upcalls {
  /** Publishes the client's state at the end of this task (src/client/commit.ts). */
  commit(): void;
  /** This tab's writes not acknowledged (the outbox's list). */
  pending(): PendingWrite[];
  /** `pending().length`, without building the list. */
  pendingCount(): number;
  /** Pulls soon, once for every ask in this task; a follower asks the leader. */
  pullSoon(): void;
  /** Whether the event stream is live. */
  streamLive(): boolean;
  /** The server is reachable again: reopen the stream now. */
  reopenStream(): void;
  /** The server is reachable again: send the outbox now, keeping its backoff. */
  resendWrites(): void;
}

export function createUpcalls(): Upcalls & { bind(calls: Partial<Upcalls>): void } {
  const bound: Partial<Upcalls> = {};
  const call =
    <K extends keyof Upcalls>(name: K) =>
    (...args: Parameters<Upcalls[K]>): ReturnType<Upcalls[K]> => {
      const f = bound[name] as ((...a: Parameters<Upcalls[K]>) => ReturnType<Upcalls[K]>) | undefined;
      if (!f) throw new Error(`[syncline] ${name}() was called before the part that answers it was built`);
      return f(...args);
    };
  return {
    commit: call('commit'),
    pending: call('pending'),
    pendingCount: call('pendingCount'),
    pullSoon: call('pullSoon'),
    streamLive: call('streamLive'),
    reopenStream: call('reopenStream'),
    resendWrites: call('resendWrites'),
    bind: (calls) => void Object.assign(bound, calls),
  };
}
