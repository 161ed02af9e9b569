import { monotonicNow, type Clock } from './clock.js';

/**
 * What the page tells us. `activity` is user input; `focus` a window focus; `pagehide` the last
 * chance to send before the page goes away; `freeze` and `resume` a background tab the browser
 * suspends and wakes (Page Lifecycle).
 */
export type EnvironmentEvent =
  | 'online'
  | 'offline'
  | 'visible'
  | 'hidden'
  | 'focus'
  | 'activity'
  | 'pagehide'
  | 'freeze'
  | 'resume';

/** The browser (or its absence) behind a small interface, so tests can drive it. */
export interface Environment {
  isOnline(): boolean;
  isVisible(): boolean;
  /** Listeners attach to the page on the first subscriber and detach on the last. */
  subscribe(listener: (event: EnvironmentEvent) => void): () => void;
  /** Runs `callback` before the next paint (a timer in Node). Returns a cancel function. */
  requestFrame(callback: () => void): () => void;
  /**
   * Web Locks: asks for the lock `name` and holds it while this page lives (other pages queue
   * behind it); `onAcquired` runs once it is granted. Returns the release, which also withdraws a
   * request still waiting. Optional: without it every client counts as the only one. The browser
   * environment falls back to locks within the process where there are no Web Locks (Node); those
   * never queue, so tabs do not lead there (`openChannel` is absent).
   */
  holdLock?(name: string, onAcquired?: () => void): () => void;
  /** Whether some live page (this one included) holds the lock `name`. */
  isLockHeld?(name: string): Promise<boolean>;
  /**
   * A BroadcastChannel to the other pages of this origin, for tab leadership (docs/tabs.md).
   * Absent, or returning undefined, where Web Locks or BroadcastChannel are missing: each client
   * then works alone.
   */
  openChannel?(name: string, onMessage: (data: unknown) => void): TabChannel | undefined;
}

export interface TabChannel {
  /** Structured-cloned to every other page listening on the channel (never to this one). */
  post(data: unknown): void;
  close(): void;
}

/** ~60 frames a second where there is no `requestAnimationFrame`. */
export const FRAME_MS = 16;

interface LockManagerLike {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
  query?(): Promise<{ held?: Array<{ name?: string }> }>;
}

interface PageLike {
  visibilityState?: string;
  addEventListener?(type: string, fn: () => void, options?: { passive?: boolean }): void;
  removeEventListener?(type: string, fn: () => void): void;
}

/** A listener on the page: target (absent on a server), event type, handler. */
type Listening = [PageLike | undefined, string, () => void];

/**
 * Locks held by the clients of this JavaScript realm, for where there are no Web Locks (Node,
 * old browsers): two live clients on one namespace in one process must not take over each
 * other's writes. Released by `dispose()`; a process that ends takes them with it.
 */
const processLocks = new Map<string, number>();

/** Window events passed on as they are. */
const WINDOW_EVENTS = ['online', 'offline', 'focus', 'pagehide'] as const;
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'];

/**
 * Reads the page lazily, at call time, never at module load: importing syncline on a server
 * touches no browser global.
 */
export function createBrowserEnvironment(clock: Clock): Environment {
  const g = globalThis as unknown as PageLike & {
    document?: PageLike;
    requestAnimationFrame?: (cb: () => void) => number;
    navigator?: { onLine?: boolean; locks?: LockManagerLike };
    cancelAnimationFrame?: (id: number) => void;
    BroadcastChannel?: new (name: string) => {
      onmessage: ((event: { data: unknown }) => void) | null;
      postMessage(data: unknown): void;
      close(): void;
    };
  };
  const listeners = new Set<(event: EnvironmentEvent) => void>();
  let detach: (() => void) | null = null;
  let lastActivityAt = -Infinity;

  const emit = (event: EnvironmentEvent) => {
    for (const listener of [...listeners]) listener(event);
  };

  const onActivity = () => {
    // Input fires in bursts; one activity signal a second is plenty for the poller.
    const now = monotonicNow(clock); // an interval: a wall clock set back must not mute input
    if (now - lastActivityAt < 1000) return;
    lastActivityAt = now;
    emit('activity');
  };

  const attach = () => {
    const doc = g.document;
    const pairs: Listening[] = [
      ...WINDOW_EVENTS.map((type): Listening => [g, type, () => emit(type)]),
      [doc, 'visibilitychange', () => emit(doc?.visibilityState === 'hidden' ? 'hidden' : 'visible')],
      [doc, 'freeze', () => emit('freeze')],
      [doc, 'resume', () => emit('resume')],
      ...ACTIVITY_EVENTS.map((type): Listening => [doc, type, onActivity]),
    ];
    for (const [target, type, fn] of pairs) target?.addEventListener?.(type, fn, { passive: true });
    return () => {
      for (const [target, type, fn] of pairs) target?.removeEventListener?.(type, fn);
    };
  };

  return {
    isOnline: () => g.navigator?.onLine !== false,
    isVisible: () => g.document?.visibilityState !== 'hidden',
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1 && g.addEventListener) detach = attach();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && detach) {
          detach();
          detach = null;
        }
      };
    },
    holdLock(name, onAcquired) {
      const locks = g.navigator?.locks;
      if (!locks) {
        processLocks.set(name, (processLocks.get(name) ?? 0) + 1);
        let held = true;
        return () => {
          if (!held) return;
          held = false;
          const count = (processLocks.get(name) ?? 1) - 1;
          if (count > 0) processLocks.set(name, count);
          else processLocks.delete(name);
        };
      }
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const abort = new AbortController();
      locks
        .request(name, { signal: abort.signal }, () => {
          onAcquired?.();
          return held;
        })
        .catch(() => {});
      return () => {
        abort.abort();
        release();
      };
    },
    openChannel(name, onMessage) {
      const Channel = g.BroadcastChannel;
      if (!g.navigator?.locks || !Channel) return undefined;
      const channel = new Channel(name);
      channel.onmessage = (event) => onMessage(event.data);
      return { post: (data) => channel.postMessage(data), close: () => channel.close() };
    },
    async isLockHeld(name) {
      if (!g.navigator?.locks) return processLocks.has(name);
      const snapshot = await g.navigator.locks.query?.();
      return (snapshot?.held ?? []).some((lock) => lock.name === name);
    },
    requestFrame(callback) {
      if (g.requestAnimationFrame && g.cancelAnimationFrame) {
        const id = g.requestAnimationFrame(callback);
        return () => g.cancelAnimationFrame?.(id);
      }
      const id = clock.setTimeout(callback, FRAME_MS);
      return () => clock.clearTimeout(id);
    },
  };
}
