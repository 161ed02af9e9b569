import type { Clock, TimerId } from '../platform/clock.js';
import { seededRandom } from '../platform/seededRandom.js';

/** The fake clock's PRNG (src/platform/seededRandom.ts), exported by `syncline/testing` under this name. */
export { seededRandom };

export interface FakeClock extends Clock {
  monotonic(): number;
  /**
   * Sets the wall clock (`now()`) without moving time: as a user or NTP setting the system clock.
   * Timers and `monotonic()` are not affected.
   */
  setWallTime(ms: number): void;
  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void;
  /**
   * Like `advance`, but lets promises settle after each timer (and before the first), so code
   * that awaits between timers runs as it would in real time.
   */
  advanceAsync(ms: number): Promise<void>;
  /** Runs timers (with promises settling) until none is left or `maxMs` of fake time passed. */
  runUntilIdle(maxMs?: number): Promise<void>;
  /** How many timers are waiting. */
  pendingTimers(): number;
  /** Replaces the random source with a seeded one. */
  seed(seed: number): void;
}

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}


const realSetTimeout = globalThis.setTimeout;
const macrotask: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => realSetTimeout(fn, 0);

/** Lets every queued promise callback (and the ones they queue) run. Takes no fake time. */
export function settle(): Promise<void> {
  return new Promise((resolve) => macrotask(resolve));
}

export function createFakeClock(options: { now?: number; seed?: number } = {}): FakeClock {
  /** Monotonic time: timers fall due on it. The wall clock is `now + wallOffset`. */
  let now = options.now ?? 1_700_000_000_000;
  let wallOffset = 0;
  let nextId = 1;
  let random = seededRandom(options.seed ?? 42);
  const timers = new Map<number, Timer>();
  /**
   * A binary min-heap by (at, id) over every timer set; cleared ones stay in it until they reach
   * the top. Thousands of clients on one clock (bench/reconnectStorm.ts) need better than a scan.
   */
  const heap: Timer[] = [];
  const before = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.id < b.id);
  const push = (t: Timer) => {
    let i = heap.push(t) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const pop = () => {
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < heap.length && before(heap[l]!, heap[least]!)) least = l;
      if (r < heap.length && before(heap[r]!, heap[least]!)) least = r;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  };

  const nextDue = (until: number): Timer | undefined => {
    while (heap.length > 0 && timers.get(heap[0]!.id) !== heap[0]) pop();
    const top = heap[0];
    return top && top.at <= until ? top : undefined;
  };

  /** Runs every timer due by `until`, in order, letting promises settle around each. */
  async function runDue(until: number) {
    await settle();
    for (let t = nextDue(until); t; t = nextDue(until)) {
      timers.delete(t.id);
      now = Math.max(now, t.at);
      t.fn();
      await settle();
    }
  }

  const clock: FakeClock = {
    now: () => now + wallOffset,
    monotonic: () => now,
    setWallTime(ms) {
      wallOffset = ms - now;
    },
    setTimeout(fn, ms) {
      const id = nextId++;
      // As real timers do: a delay past 2^31 − 1 ms overflows and fires at once (Node: in 1 ms).
      const delay = ms > 2 ** 31 - 1 ? 1 : Math.max(0, ms || 0);
      const timer = { id, at: now + delay, fn };
      timers.set(id, timer);
      push(timer);
      return id;
    },
    clearTimeout(id: TimerId) {
      timers.delete(id as number);
    },
    random: () => random(),
    advance(ms) {
      const until = now + ms;
      for (let t = nextDue(until); t; t = nextDue(until)) {
        timers.delete(t.id);
        now = Math.max(now, t.at);
        t.fn();
      }
      now = until;
    },
    async advanceAsync(ms) {
      const until = now + ms;
      await runDue(until);
      now = until;
      await settle();
    },
    runUntilIdle: (maxMs = 3_600_000) => runDue(now + maxMs),
    pendingTimers: () => timers.size,
    seed(seed) {
      random = seededRandom(seed);
    },
  };
  return clock;
}
