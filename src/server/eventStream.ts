import type { Clock } from '../platform/clock.js';
import { createTimer } from '../platform/clock.js';
import type { Thread } from '../model/types.js';
import type { ServerEvent } from '../protocol/wire.js';
import { coalesceEntries, nextFlushDelay, snapshotsNeeded, type StreamProtocol } from './semantics/coalesceEntries.js';
import { replayBytes } from './semantics/replayScope.js';
import { cursorAfter } from './cursor.js';
import { createPulledBody } from './pulledBody.js';
import { frameChunks } from './sharedFrames.js';
import type { EventsRead, StoredEvent } from './types.js';

/** What one stream needs from its handler. */
export interface StreamContext {
  clock: Clock;
  keepaliveMs: number;
  retryMs: number;
  maxBufferedBytes: number;
  /** The oldest cursor replayed on resume; more than this many entries behind is a `reset`. */
  replayLimit: number;
  /** The store's read, scoped to what this stream's caller may see (ReplayScope in src/server/types.ts). */
  eventsSince(cursor: string, limit: number): Promise<EventsRead>;
  head(): Promise<string>;
  /** The thread at version `v` or newer, shared between streams. */
  snapshot(threadId: string, v: number): Promise<Thread | undefined>;
  /** May this stream's caller read this thread? Asked once per thread per stream. */
  allowed(threadId: string): Promise<boolean>;
  /** Bytes this stream holds changed by `delta` (the handler's `bufferedBytes`). */
  onBuffered(delta: number): void;
  /** What this stream holds now, after it grew (the handler keeps the peak). */
  onHeld(bytes: number): void;
  onReset(): void;
  onEnd(stream: EventStream): void;
  onError(error: unknown): void;
}

export interface EventStream {
  body: ReadableStream<Uint8Array>;
  /** A live entry from the bus. */
  receive(entry: StoredEvent): void;
  /** Ends cleanly once what is buffered went out: the client reconnects (elsewhere). */
  close(): void;
}

/**
 * At most one flush per this many ms: a burst of writes becomes one coalesced `thread` event per
 * thread instead of one serialised thread per write. A write after a quiet spell goes out at once.
 */
const FLUSH_MS = 50;
/** How long a stream that must end waits for its consumer to take the last bytes before cutting it. */
const END_GRACE_MS = 10_000;

const encoder = new TextEncoder();
const entryBytes = replayBytes;

type Phase = 'opening' | 'live' | 'ending' | 'ended';

/**
 * One `GET /events` stream (docs/server.md): replays from the cursor or sends `reset`, then live
 * entries coalesced per flush (patches for a `protocol` 2 stream, docs/protocol.md), filtered per thread by `allowed`, keepalives. The body is pulled:
 * bytes wait here until the consumer asks for them, and past `maxBufferedBytes` the stream
 * drops what it holds, sends `reset` (the client pulls) and ends.
 */
export function openEventStream(ctx: StreamContext, cursor: string | null, protocol: StreamProtocol = 1): EventStream {
  const { clock } = ctx;
  let phase: Phase = 'opening';
  let queue: StoredEvent[] = [];
  let queueBytes = 0;
  let newest = '0'; // newest cursor seen: the id of a reset
  let base = '0';
  let pendingReset = false;
  const sentV = new Map<string, number>();
  let flushing = false;
  let lastFlushAt = -Infinity;
  let delayMs = FLUSH_MS;
  const flushTimer = createTimer(clock);
  const keepaliveTimer = createTimer(clock);
  const graceTimer = createTimer(clock);
  const out = createPulledBody({ onHeld: ctx.onBuffered, onDone: cleanup });

  const holding = () => out.held() + queueBytes;

  function dropQueue() {
    ctx.onBuffered(-queueBytes);
    queue = [];
    queueBytes = 0;
  }

  /** Adds a frame; past the bound (and not alone) everything held is dropped for a `reset`. */
  function write(frame: string | Uint8Array[]) {
    const chunks = typeof frame === 'string' ? [encoder.encode(frame)] : frame;
    const size = chunks.reduce((n, c) => n + c.byteLength, 0);
    if (holding() > 0 && holding() + size > ctx.maxBufferedBytes) return overflow();
    for (const chunk of chunks) out.push(chunk);
    ctx.onHeld(holding());
  }

  function overflow() {
    out.clear();
    dropQueue();
    ctx.onReset();
    out.push(encoder.encode(`id: ${newest}\nevent: reset\ndata: {}\n\n`));
    end(false);
  }

  /** Stops taking entries; the body ends once the consumer took what is held, or is cut after a grace. */
  function end(withError: boolean) {
    if (phase === 'ending' || phase === 'ended') return;
    phase = 'ending';
    stopTimers();
    dropQueue();
    graceTimer.set(() => out.cut('the consumer did not read the end of the event stream'), END_GRACE_MS);
    out.finish(withError);
  }

  function stopTimers() {
    flushTimer.clear();
    keepaliveTimer.clear();
  }

  function cleanup() {
    if (phase === 'ended') return;
    phase = 'ended';
    stopTimers();
    graceTimer.clear();
    dropQueue();
    ctx.onEnd(stream);
  }

  function send(event: ServerEvent) {
    if (phase === 'live') write(frameChunks(event));
  }

  function schedule() {
    if (phase !== 'live' || flushing || flushTimer.pending()) return;
    flushTimer.set(() => void flush(), Math.max(0, lastFlushAt + delayMs - clock.now()));
  }

  async function flush() {
    if (phase !== 'live' || (queue.length === 0 && !pendingReset)) return;
    flushing = true;
    lastFlushAt = clock.now();
    const batch = queue;
    queue = [];
    ctx.onBuffered(-queueBytes);
    queueBytes = 0;
    try {
      const events: ServerEvent[] = [];
      if (pendingReset) events.push({ type: 'reset', id: base });
      pendingReset = false;
      if (batch.length > 0) {
        // Entries of different instances may cross on the bus; within a flush they go out in order.
        batch.sort((a, b) => (a.cursor === b.cursor ? 0 : cursorAfter(a.cursor, b.cursor) ? 1 : -1));
        const threads = [...new Set(batch.map((e) => e.threadId))];
        const verdicts = await Promise.all(threads.map((t) => ctx.allowed(t)));
        const ok = new Set(threads.filter((_, i) => verdicts[i]));
        const visible = batch.filter((e) => ok.has(e.threadId));
        const snapshots = new Map<string, Thread | undefined>();
        await Promise.all([...snapshotsNeeded(visible, protocol)].map(async ([id, v]) => snapshots.set(id, await ctx.snapshot(id, v))));
        if (phase !== 'live') return;
        events.push(...coalesceEntries(visible, sentV, base, (id) => snapshots.get(id), protocol));
        const last = batch[batch.length - 1]!.cursor;
        if (cursorAfter(last, base)) base = last;
      }
      for (const event of events) send(event);
      delayMs = nextFlushDelay(events, FLUSH_MS);
    } catch (err) {
      ctx.onError(err);
      end(true);
    } finally {
      flushing = false;
    }
    if (queue.length > 0) schedule();
  }

  function armKeepalive() {
    keepaliveTimer.clear();
    if (phase !== 'live' || !(ctx.keepaliveMs > 0)) return;
    keepaliveTimer.set(() => {
      if (phase !== 'live') return;
      write(': ka\n\n');
      armKeepalive();
    }, ctx.keepaliveMs);
  }

  async function open() {
    try {
      let replay: StoredEvent[] = [];
      let through: string | null = null;
      if (cursor === null) {
        base = await ctx.head();
      } else {
        const read = await ctx.eventsSince(cursor, ctx.replayLimit + 1);
        base = read.head;
        newest = read.head;
        // A scoped read (ReplayScope) counts the entries it left out too: they are as far behind.
        if (read.reset || (read.scanned ?? read.events.length) > ctx.replayLimit) pendingReset = true;
        else if (read.events.length > 0) {
          replay = read.events;
          base = cursor;
          through = read.through ?? through;
        }
      }
      if (phase !== 'opening') return;
      // Live entries the read already covered are dropped; the rest follow the replay.
      const last = replay.length > 0 ? replay[replay.length - 1]!.cursor : base;
      const covered = through !== null && cursorAfter(through, last) ? through : last;
      const live = queue.filter((e) => cursorAfter(e.cursor, covered));
      dropQueue();
      queue = [...replay, ...live];
      queueBytes = queue.reduce((n, e) => n + entryBytes(e), 0);
      ctx.onBuffered(queueBytes);
      if (cursorAfter(base, newest)) newest = base;
      phase = 'live';
      armKeepalive();
      if (queue.length > 0 || pendingReset) schedule();
    } catch (err) {
      ctx.onError(err);
      end(true);
    }
  }

  const stream: EventStream = {
    body: out.body,
    receive(entry) {
      if (phase !== 'opening' && phase !== 'live') return;
      if (cursorAfter(entry.cursor, newest)) newest = entry.cursor;
      const bytes = entryBytes(entry);
      if (phase === 'live' && holding() > 0 && holding() + bytes > ctx.maxBufferedBytes) return overflow();
      queue.push(entry);
      queueBytes += bytes;
      ctx.onBuffered(bytes);
      ctx.onHeld(holding());
      schedule();
    },
    close: () => end(false),
  };

  // A hint, not a frame: the client's liveness clock starts with the first event or keepalive,
  // so one keepalive goes right after it: after an outage a client knows at once.
  const first = ctx.keepaliveMs > 0 ? ': ka\n\n' : '';
  out.push(encoder.encode(`retry: ${ctx.retryMs}\n\n${first}`));
  void open();
  return stream;
}
