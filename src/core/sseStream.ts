import { createParser } from 'eventsource-parser';
import { describeError, SyncError } from './errors.js';
import type { StreamOptions } from './types.js';
import { parseServerEvent, protocolError } from './validate.js';

/**
 * How much one unfinished event may buffer, in characters. Generous (a long thread is sent whole),
 * but bounded so a misbehaving proxy that never sends a newline cannot exhaust memory.
 * @default 32 MiB
 */
export const MAX_EVENT_CHARS = 32 * 1024 * 1024;

export type EventStreamHandlers = Pick<
  StreamOptions,
  'cursor' | 'signal' | 'onFrame' | 'onEvent' | 'onRetryHint'
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
 * Reads an SSE body until it ends and hands every frame to `handlers` (DESIGN §3). Resolves when
 * the body ends or `signal` aborts; rejects with a `protocol` SyncError on invalid event data (the
 * event is not delivered) and a `network` SyncError when reading fails. Works on any WHATWG
 * ReadableStream: undici's in Node and the browsers'.
 */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  handlers: EventStreamHandlers,
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

  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
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
    onError: (error) => {
      // Unknown fields and bad `retry:` values are ignored, as browsers do; only an overflow is fatal.
      if (error.type === 'max-buffer-size-exceeded') {
        failure ??= { error: protocolError('GET /events', `an event longer than ${MAX_EVENT_CHARS} characters`, error) };
      }
    },
  });

  const reader = body.getReader();
  const cancel = () => {
    reader.cancel().catch(() => undefined);
  };
  // Some streams do not end their pending read when the fetch is aborted; cancelling does.
  signal.addEventListener('abort', cancel, { once: true });
  const decoder = new TextDecoder();
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
      // `stream: true` keeps a multi-byte character split across chunks intact.
      parser.feed(decoder.decode(chunk.value, { stream: true }));
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
