import type { Clock } from '../../platform/clock.js';
import { createTimer } from '../../platform/clock.js';
import { createPulledBody } from '../pulledBody.js';
import { createEventFaults } from './eventFaults.js';
import type { FaultController } from './faults.js';
import { createFrameSplitter } from './sseFrames.js';
import type { FrameKind } from './sseFrames.js';

/**
 * Event frames a stalled stream holds for later; past this it stops reading, and the stream's own
 * bound (`maxBufferedBytes`, src/server/eventStream.ts) decides, as for any consumer that stops.
 */
const STALL_HOLD_BYTES = 1024 * 1024;

const KEEPALIVE = new TextEncoder().encode(': ka\n\n');

type Frame = Uint8Array[];

/**
 * The dev server's stream faults (`Faults.stream` in src/server/dev/faults.ts) applied to an
 * event stream's bytes from outside: the production stream (src/server/eventStream.ts) has no
 * fault code at all. Frames pass in order; `stall` holds events and drops keepalives,
 * `reorderRate` holds one event until the next frame, `duplicateRate` sends one twice,
 * `dropAfter` breaks the connection after that many events, `keepaliveMs` replaces the stream's
 * keepalives, `offline` cuts the stream at once. A fault set later acts on streams already open.
 *
 * Bytes are read from `body` only when the consumer took what went before, so a consumer that
 * stops reading still shows up as bytes the stream holds (and the stream's bound applies).
 */
export function injectStreamFaults(body: ReadableStream<Uint8Array>, faults: FaultController, clock: Clock): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const keepaliveTimer = createTimer(clock);
  let ended = false;
  let stalledFrames: Frame[] = [];
  let stalledBytes = 0;
  let firstKeepalive = true;
  let wakeUp: (() => void) | null = null;

  const wake = () => {
    const resolve = wakeUp;
    wakeUp = null;
    resolve?.();
  };
  const out = createPulledBody({
    onHeld: (delta) => {
      if (delta < 0) wake();
    },
    onDone: stop,
  });
  const streamFaults = () => faults.current().stream ?? {};
  const stalled = () => streamFaults().stall === true;

  function stop() {
    if (ended) return;
    ended = true;
    keepaliveTimer.clear();
    unwatch();
    stalledFrames = [];
    wake();
    void reader.cancel().catch(() => undefined);
  }

  /** The connection breaks after what was sent (dropAfter). */
  function drop() {
    out.finish(true);
    stop();
  }

  const events = createEventFaults<Frame>(
    faults,
    (frame) => {
      if (!ended) for (const chunk of frame) out.push(chunk);
    },
    drop,
  );

  function keepalive() {
    events.release();
    if (!ended) out.push(KEEPALIVE);
  }

  function onFrame(kind: FrameKind, frame: Frame, bytes: number) {
    if (ended) return;
    if (kind === 'hint') return frame.forEach((chunk) => out.push(chunk));
    if (kind === 'event') {
      if (!stalled()) return events.emit(frame);
      stalledFrames.push(frame);
      stalledBytes += bytes;
      return;
    }
    // A keepalive. With `keepaliveMs` set, this module's timer sends them (the first one, right
    // after the hint, still goes when the interval is not 0).
    const first = firstKeepalive;
    firstKeepalive = false;
    const every = streamFaults().keepaliveMs;
    if (stalled() || (every !== undefined && !(first && every > 0))) return;
    keepalive();
  }

  function armKeepalive() {
    keepaliveTimer.clear();
    const every = streamFaults().keepaliveMs;
    if (ended || every === undefined || !(every > 0)) return;
    keepaliveTimer.set(() => {
      if (!stalled()) keepalive();
      armKeepalive();
    }, every);
  }

  const unwatch = faults.subscribe(() => {
    if (ended) return;
    if (faults.current().offline) {
      out.cut('fault injection: offline');
      return stop();
    }
    if (!stalled() && stalledFrames.length > 0) {
      const frames = stalledFrames;
      stalledFrames = [];
      stalledBytes = 0;
      for (const frame of frames) events.emit(frame);
    }
    if (events.spent()) return drop();
    armKeepalive();
    wake();
  });

  const split = createFrameSplitter(onFrame);
  const mayRead = () => (stalled() ? stalledBytes < STALL_HOLD_BYTES : out.held() === 0);

  async function pump() {
    try {
      while (!ended) {
        if (!mayRead()) {
          await new Promise<void>((resolve) => (wakeUp = resolve));
          continue;
        }
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) {
          events.release();
          out.finish(false);
          return stop();
        }
        split(value);
        // Checked after a whole read too: `dropAfter: 0` breaks the stream right after it opened.
        if (!ended && events.spent()) drop();
      }
    } catch {
      // The stream broke (cut on purpose, or its consumer was too slow): so does this one.
      out.finish(true);
      stop();
    }
  }

  armKeepalive();
  void pump();
  return out.body;
}
