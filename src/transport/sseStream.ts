import { createParser } from 'eventsource-parser';
import { describeError, SyncError } from '../model/errors.js';
import type { StreamOptions } from '../protocol/wire.js';
import { createEventSizer, DEFAULT_MAX_EVENT_BYTES } from './sseLimit.js';
import { parseServerEvent } from '../protocol/validate.js';

export type EventStreamHandlers = Pick<
  StreamOptions,
  'cursor' | 'signal' | 'onFrame' | 'onEvent' | 'onRetryHint' | 'onOversizedEvent'
>;

/** The `network` error of an event stream that failed; the push channel reconnects by itself. */
export function streamError(problem: string, cause: unknown): SyncError {
  return new SyncError(
    'network',
    `GET /events ${problem}: ${describeError(cause)}. syncline reconnects with backoff and polls meanwhile.`,
    { cause },
  );
}

/**
 * Reads an SSE body until it ends and hands every frame to `handlers` (docs/protocol.md). Resolves when
 * the body ends or `signal` aborts; rejects with a `protocol` SyncError on invalid event data (the
 * event is not delivered) and a `network` SyncError when reading fails. An event over
 * `maxEventBytes` is skipped as it arrives, never held whole: it counts as a frame and goes to
 * `onOversizedEvent`, and the last event id stays where it was. Works on any WHATWG
 * ReadableStream: undici's in Node and the browsers'.
 */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  handlers: EventStreamHandlers,
  maxEventBytes = DEFAULT_MAX_EVENT_BYTES,
): Promise<void> {
  const { signal } = handlers;
  // SSE keeps the last event ID across events; the stream starts where the caller resumed.
  let lastId = handlers.cursor;
  // First failure wins; the parser is fed synchronously, so it is checked after every feed.
  let failure: { error: unknown } | undefined;

  const guarded = (fn: () => void) => {
    // After a failure or an abort (even one a handler caused), nothing more is delivered.
    if (failure || signal.aborted) return;
    try {
      fn();
    } catch (error) {
      failure = { error };
    }
  };

  // The sizer bounds what the parser holds: an event's characters never outnumber its bytes.
  const parser = createParser({
    onEvent: (message) =>
      guarded(() => {
        if (message.id !== undefined) lastId = message.id;
        // Validate before reporting the frame: invalid data is not a sign of a healthy stream.
        const event = parseServerEvent(
          message.event,
          message.data,
          message.event === 'reset' ? message.id : lastId,
        );
        handlers.onFrame();
        if (event) handlers.onEvent(event);
      }),
    onComment: () => guarded(() => handlers.onFrame()),
    onRetry: (ms) => guarded(() => handlers.onRetryHint?.(ms)),
    // Unknown fields and bad `retry:` values are ignored, as browsers do (no onError).
  });
  const size = createEventSizer(maxEventBytes);

  const reader = body.getReader();
  const cancel = () => {
    reader.cancel().catch(() => undefined);
  };
  // Some streams do not end their pending read when the fetch is aborted; cancelling does.
  signal.addEventListener('abort', cancel, { once: true });
  const decoder = new TextDecoder();
  let endsInCR = false;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (signal.aborted) return;
        throw streamError('broke off while reading', err);
      }
      // At the end, an event without its closing blank line is incomplete: the SSE spec drops it.
      if (signal.aborted || chunk.done) return;
      for (const part of size(chunk.value)) {
        // Not `instanceof`: a body from another realm (a test DOM, a polyfilled fetch) holds
        // another realm's Uint8Array, which would read as an oversized event.
        if (ArrayBuffer.isView(part)) {
          // `stream: true` keeps a multi-byte character split across chunks intact.
          parser.feed(decoder.decode(part, { stream: true }));
          endsInCR = part[part.length - 1] === 13;
        } else if (part === 'drop') {
          // The parser holds a final CR until it knows whether an LF follows: if it ended the
          // event before, that event is complete; an LF says so (or merely ends a line).
          if (endsInCR) parser.feed('\n');
          parser.reset();
          decoder.decode(); // and the half character it may hold
        } else {
          guarded(() => {
            handlers.onFrame();
            handlers.onOversizedEvent?.(part);
          });
        }
      }
      if (signal.aborted) return;
      if (failure) {
        cancel();
        throw failure.error;
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
