import type { OversizedEvent } from '../protocol/wire.js';

/**
 * How many bytes one event may take on the wire before it is skipped instead of read.
 * @default 8 MiB
 */
export const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** How much of an event's start is kept, to say what a skipped one was about. */
const HEAD_BYTES = 4096;
const LF = 10;
const CR = 13;

/**
 * What to do with a chunk, in order: bytes go to the SSE parser; `'drop'`: the parser forgets the
 * event in progress (it grew too large); an OversizedEvent: that event was skipped and has ended.
 */
export type SizedPart = Uint8Array | 'drop' | OversizedEvent;

/**
 * Splits the byte stream at event ends (a blank line, whatever the line endings: CRLF, LF or CR)
 * to count how long the event in progress is, without holding it. Bytes of an event within
 * `maxBytes` go to the parser; an event past it is cut off there and the rest of it is dropped as
 * it arrives, so no more than `maxBytes` of one event is ever held (docs/liveness.md).
 */
export function createEventSizer(maxBytes: number) {
  /** At the start of a line; a line end here is a blank line. */
  let lineStart = true;
  /** The last byte was a CR: an LF now completes the same line end. */
  let afterCR = false;
  let eventBytes = 0;
  /** A copy of the event's first bytes, while it spans chunks. */
  let head = new Uint8Array(0);
  let skipping = false;
  let skippedHead: Uint8Array | null = null;

  const headOf = (chunk: Uint8Array, start: number): Uint8Array => {
    if (start > 0 || head.length === 0) return chunk.subarray(start, start + HEAD_BYTES);
    const more = chunk.subarray(0, HEAD_BYTES - head.length);
    const joined = new Uint8Array(head.length + more.length);
    joined.set(head);
    joined.set(more, head.length);
    return joined;
  };

  return function size(chunk: Uint8Array): SizedPart[] {
    const out: SizedPart[] = [];
    /** The first byte not yet fed nor dropped. */
    let from = 0;
    /** Where the event in progress starts in this chunk (0: it may have started before). */
    let start = 0;

    const cutOff = (end: number) => {
      // The complete events before this one still go to the parser; then it forgets this one.
      if (start > from) out.push(chunk.subarray(from, start));
      out.push('drop');
      skippedHead = headOf(chunk, start).slice();
      skipping = true;
      from = end;
    };

    // Jumps from line end to line end (indexOf is native; a loop over every byte of a 30 MiB
    // event is not): the bytes between are an ordinary line's.
    let nextLF = -2;
    let nextCR = -2;
    for (let i = 0; i < chunk.length; ) {
      if (nextLF !== -1 && nextLF < i) nextLF = chunk.indexOf(LF, i);
      if (nextCR !== -1 && nextCR < i) nextCR = chunk.indexOf(CR, i);
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      const stop = end === -1 ? chunk.length : end;
      if (stop > i) {
        lineStart = false;
        afterCR = false;
      }
      eventBytes += stop - i;
      if (end === -1) break;
      eventBytes += 1;
      i = end + 1;
      if (chunk[end] === LF && afterCR) {
        afterCR = false; // the LF of a CRLF
        continue;
      }
      afterCR = chunk[end] === CR;
      if (!lineStart) {
        lineStart = true;
        continue;
      }
      // A blank line: the event ends here.
      if (!skipping && eventBytes > maxBytes) cutOff(i);
      if (skipping) {
        out.push(describeHead(skippedHead!));
        skipping = false;
        skippedHead = null;
        from = i;
      }
      eventBytes = 0;
      start = i;
      head = new Uint8Array(0);
    }
    if (!skipping && eventBytes > maxBytes) cutOff(chunk.length);
    if (skipping) return out;
    if (from < chunk.length) out.push(chunk.subarray(from));
    if (start < chunk.length && head.length < HEAD_BYTES) head = headOf(chunk, start).slice();
    return out;
  };
}

/**
 * Where each event type names its thread, as JSON writes it: a thread's first key, a delta's
 * `threadId`, a patch's first key `threadId`. Unescaped quotes in JSON only delimit strings, so the text inside one cannot fake a
 * key. A Map: the type comes from the server.
 */
const THREAD_ID = new Map([
  ['thread', /^\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.)*")/],
  ['delta', /"threadId"\s*:\s*("(?:[^"\\]|\\.)*")/],
  ['patch', /^\s*\{\s*"threadId"\s*:\s*("(?:[^"\\]|\\.)*")/],
]);

/** What the start of a skipped event says: its type, and the thread it is about when it names one. */
export function describeHead(bytes: Uint8Array): OversizedEvent {
  // One kind of line end, and this event only: the kept start may run past a short one's end.
  const text = new TextDecoder().decode(bytes).replace(/\r\n?/g, '\n').replace(/^\n+/, '').split('\n\n')[0]!;
  const type = /^event: ?(.*)/m.exec(text)?.[1] ?? null;
  const quoted = THREAD_ID.get(type!)?.exec(/^data: ?(.*)/m.exec(text)?.[1] ?? '')?.[1];
  try {
    return { type, threadId: quoted ? (JSON.parse(quoted) as string) || null : null };
  } catch {
    return { type, threadId: null }; // a malformed escape: every thread is pulled
  }
}
