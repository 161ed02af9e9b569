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
  /** The threads this tab's own components watch. */
  watched(): string[];
  /** What another tab watches, while this one leads it (`null`: that tab is gone; docs/tabs.md). */
  setRemote(tab: string, ids: string[] | null): void;
  /** The tabs whose watched threads this one serves. */
  remoteTabs(): string[];
}

export function createInterest(): Interest {
  const watched = new Map<string, number>();
  const once = new Set<string>();
  /** What the other tabs watch, by tab, when this one leads them (docs/tabs.md). */
  const remote = new Map<string, string[]>();
  return {
    remoteTabs: () => [...remote.keys()],
    setRemote(tab, ids) {
      if (ids) remote.set(tab, ids);
      else remote.delete(tab);
    },
    watch(threadId) {
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
    watched: () => [...watched.keys()],
    isWatched: (threadId) => watched.has(threadId) || [...remote.values()].some((ids) => ids.includes(threadId)),
    ask(threadId) {
      once.add(threadId);
    },
    take(extra) {
      const ids = new Set([...watched.keys(), ...once, ...extra, ...[...remote.values()].flat()]);
      once.clear();
      return ids;
    },
  };
}
