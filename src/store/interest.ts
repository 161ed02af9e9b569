/**
 * The threads a client keeps in step: watched ones (counted, so two components watching one
 * thread keep it until both let go) and ones asked for once (`queueForSync`, a delta gap).
 */
export interface Interest {
  /** Returns the unwatch function; calling it twice counts once. */
  watch(threadId: string): () => void;
  isWatched(threadId: string): boolean;
  /** Asks for a thread once (the next pull takes it). */
  ask(threadId: string): void;
  /** Every thread of interest plus `extra`; the one-time asks are used up. */
  take(extra: Iterable<string>): Set<string>;
}

export function createInterest(): Interest {
  const watched = new Map<string, number>();
  const once = new Set<string>();
  return {
    /** Returns the unwatch function; calling it twice counts once. */
    watch(threadId: string): () => void {
      watched.set(threadId, (watched.get(threadId) ?? 0) + 1);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        const count = (watched.get(threadId) ?? 1) - 1;
        if (count <= 0) watched.delete(threadId);
        else watched.set(threadId, count);
      };
    },
    isWatched: (threadId: string) => watched.has(threadId),
    ask(threadId: string) {
      once.add(threadId);
    },
    /** Every thread of interest plus `extra`; the one-time asks are used up. */
    take(extra: Iterable<string>): Set<string> {
      const ids = new Set([...watched.keys(), ...once, ...extra]);
      once.clear();
      return ids;
    },
  };
}
