/** One chat the user started on this device. */
export interface ThreadEntry {
  id: string;
  createdAt: number;
}

export interface ThreadIndex {
  /** Newest first; the same array until something changes. */
  list(): ThreadEntry[];
  add(entry: ThreadEntry): void;
  subscribe(listener: () => void): () => void;
}

const isEntry = (value: unknown): value is ThreadEntry =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ThreadEntry).id === 'string' &&
  typeof (value as ThreadEntry).createdAt === 'number';

/**
 * The list of chats, kept in localStorage: protocol v1 has no "list my threads" route, so the
 * page remembers which ones it started. Other tabs see additions through the `storage` event.
 */
export function createThreadIndex(namespace: string): ThreadIndex {
  const key = `syncline-demo:${namespace}:threads`;
  const listeners = new Set<() => void>();

  const read = (): ThreadEntry[] => {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch {
      return [];
    }
  };
  let entries = read();
  const emit = () => {
    for (const listener of [...listeners]) listener();
  };

  window.addEventListener('storage', (event) => {
    if (event.key !== key) return;
    entries = read();
    emit();
  });

  return {
    list: () => entries,
    add(entry) {
      if (entries.some((e) => e.id === entry.id)) return;
      entries = [entry, ...entries];
      try {
        localStorage.setItem(key, JSON.stringify(entries));
      } catch {
        // Private mode or a full quota: the list lives on in memory for this visit.
      }
      emit();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
