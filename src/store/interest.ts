/**
 * The threads a client keeps in step: watched ones (counted, so two components watching one
 * thread keep it until both let go) and ones asked for once (`queueForSync`, a delta gap).
 */
export function createInterest() {
  const watched = new Map<string, number>();
  const once = new Set<string>();
  /** What the other tabs watch, by tab, when this one leads them (docs/tabs.md). */
  const remote = new Map<string, string[]>();
  return {
    remoteTabs: () => [...remote.keys()],
    setRemote(tab: string, ids: string[] | null) {
      if (ids) remote.set(tab, ids);
      else remote.delete(tab);
    },
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
    /** The threads this tab's own components watch. */
    watched: () => [...watched.keys()],
    isWatched: (threadId: string) => watched.has(threadId) || [...remote.values()].some((ids) => ids.includes(threadId)),
    ask(threadId: string) {
      once.add(threadId);
    },
    /** Every thread of interest plus `extra`; the one-time asks are used up. */
    take(extra: Iterable<string>): Set<string> {
      const ids = new Set([...watched.keys(), ...once, ...extra, ...[...remote.values()].flat()]);
      once.clear();
      return ids;
    },
  };
}
