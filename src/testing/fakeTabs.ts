import type { Environment, TabChannel } from '../platform/environment.js';

/**
 * Web Locks and BroadcastChannel of one fake browser, shared by the fake pages (environments)
 * made from it: locks are granted in request order, messages are structured-cloned and delivered
 * in order to every other page, a microtask later, as a real channel does. `crash` ends a page
 * without any of its own code running: its locks are freed and it hears nothing more.
 */
export interface FakeTabs {
  /** The lock and channel parts of one page's environment. */
  page(): FakeTabPage;
  /** Who holds the lock `name` (a page id), if anyone. */
  holder(name: string): number | undefined;
  /** Messages posted so far, in order, on every channel. */
  posted(): Array<{ channel: string; from: number; data: unknown }>;
}

export type FakeTabPage = Required<Pick<Environment, 'holdLock' | 'isLockHeld' | 'openChannel'>> & {
  id: number;
  /** The page is gone at once (a crash, a kill): locks freed, channels deaf, no unload code. */
  crash(): void;
};

interface Waiter {
  page: number;
  granted: boolean;
  onAcquired?: () => void;
}

export function createFakeTabs(): FakeTabs {
  const locks = new Map<string, Waiter[]>();
  const listeners = new Map<string, Set<{ page: number; deliver: (data: unknown) => void }>>();
  const posted: Array<{ channel: string; from: number; data: unknown }> = [];
  const dead = new Set<number>();
  let pages = 0;

  const grant = (name: string) => {
    const first = locks.get(name)?.[0];
    if (!first || first.granted) return;
    first.granted = true;
    queueMicrotask(() => {
      if (first.granted && !dead.has(first.page)) first.onAcquired?.();
    });
  };

  const drop = (name: string, waiter: Waiter) => {
    const queue = locks.get(name) ?? [];
    const i = queue.indexOf(waiter);
    if (i < 0) return;
    queue.splice(i, 1);
    waiter.granted = false;
    if (queue.length === 0) locks.delete(name);
    else grant(name);
  };

  return {
    holder: (name) => locks.get(name)?.find((w) => w.granted)?.page,
    posted: () => posted,
    page() {
      const id = ++pages;
      const held: Array<[string, Waiter]> = [];
      const open = new Set<() => void>();
      return {
        id,
        holdLock(name, onAcquired) {
          const waiter: Waiter = { page: id, granted: false, ...(onAcquired ? { onAcquired } : {}) };
          if (dead.has(id)) return () => {};
          const queue = locks.get(name) ?? [];
          queue.push(waiter);
          locks.set(name, queue);
          held.push([name, waiter]);
          grant(name);
          return () => drop(name, waiter);
        },
        isLockHeld: async (name) => locks.get(name)?.some((w) => w.granted) ?? false,
        openChannel(name, onMessage): TabChannel | undefined {
          if (dead.has(id)) return undefined;
          const set = listeners.get(name) ?? new Set();
          listeners.set(name, set);
          const me = { page: id, deliver: onMessage };
          set.add(me);
          const close = () => set.delete(me);
          open.add(close);
          return {
            post(data) {
              if (dead.has(id) || !set.has(me)) return;
              const copy = structuredClone(data);
              posted.push({ channel: name, from: id, data: copy });
              for (const other of [...set]) {
                if (other === me) continue;
                queueMicrotask(() => {
                  if (set.has(other) && !dead.has(other.page)) other.deliver(structuredClone(copy));
                });
              }
            },
            close,
          };
        },
        crash() {
          dead.add(id);
          for (const close of open) close();
          for (const [name, waiter] of held) drop(name, waiter);
        },
      };
    },
  };
}
