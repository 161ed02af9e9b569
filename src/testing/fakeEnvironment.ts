import type { Clock } from '../platform/clock.js';
import { FRAME_MS, type Environment, type EnvironmentEvent } from '../platform/environment.js';
import type { FakeTabPage } from './fakeTabs.js';

export interface FakeEnvironment extends Environment {
  setOnline(online: boolean): void;
  setVisible(visible: boolean): void;
  /** Emits any environment event (`activity`, `focus`, `pagehide`, …). */
  emit(event: EnvironmentEvent): void;
  /** How many frames have run so far. */
  frames(): number;
}

/** An environment driven by the test: frames tick every 16 ms of the given clock. */
/** Locks shared by fake pages of one fake browser: pass the same set to several environments. */
export type FakeLocks = Set<string>;

export function createFakeEnvironment(
  clock: Clock,
  options: {
    online?: boolean;
    visible?: boolean;
    locks?: FakeLocks;
    /** A page of a fake browser (`createFakeTabs().page()`): real lock queues and a channel. */
    tab?: FakeTabPage;
  } = {},
): FakeEnvironment {
  const locks = options.locks ?? new Set<string>();
  let online = options.online ?? true;
  let visible = options.visible ?? true;
  let frameCount = 0;
  const listeners = new Set<(event: EnvironmentEvent) => void>();
  const emit = (event: EnvironmentEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  return {
    isOnline: () => online,
    isVisible: () => visible,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    holdLock(name) {
      locks.add(name);
      return () => locks.delete(name);
    },
    isLockHeld: async (name) => locks.has(name),
    ...(options.tab && { holdLock: options.tab.holdLock, isLockHeld: options.tab.isLockHeld, openChannel: options.tab.openChannel }),
    requestFrame(callback) {
      // Frames fall on a fixed 16 ms grid, like vsync, not 16 ms after each request.
      const delay = FRAME_MS - (clock.now() % FRAME_MS) || FRAME_MS;
      const id = clock.setTimeout(() => {
        frameCount++;
        callback();
      }, delay);
      return () => clock.clearTimeout(id);
    },
    setOnline(next) {
      if (next === online) return;
      online = next;
      emit(next ? 'online' : 'offline');
    },
    setVisible(next) {
      if (next === visible) return;
      visible = next;
      emit(next ? 'visible' : 'hidden');
    },
    emit,
    frames: () => frameCount,
  };
}
