import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import { sseFrame } from '../testing/eventData.js';
import type { FaultController } from '../testing/faults.js';
import type { ReferenceBackend } from '../testing/referenceBackend.js';
import { startStreamPump } from '../testing/streamPump.js';
import { CORS_HEADERS } from './http.js';

export interface SseContext {
  backend: ReferenceBackend;
  faults: FaultController;
  clock: Clock;
  keepaliveMs: number;
  /** Open streams, each with the function that ends it (the server closing). */
  streams: Set<() => void>;
}

/**
 * At most one flush per this many ms: a burst of writes becomes one coalesced `thread` event per
 * thread instead of one serialised thread per write. A write after a quiet spell goes out at once.
 */
const FLUSH_MS = 50;

/** `Last-Event-ID` wins over `?cursor=`: it is what a reconnecting EventSource sends. */
export function streamCursor(req: IncomingMessage, query: URLSearchParams): string | null {
  const header = req.headers['last-event-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader !== undefined && fromHeader !== '') return fromHeader;
  const fromQuery = query.get('cursor');
  return fromQuery === null || fromQuery === '' ? null : fromQuery;
}

/** `GET /events`: SSE from the cursor on, with keepalives and the stream faults. */
export function serveEvents(ctx: SseContext, req: IncomingMessage, res: ServerResponse, cursor: string | null): void {
  const socket = req.socket;
  socket.setNoDelay(true);
  socket.setTimeout(0);
  res.writeHead(200, {
    ...CORS_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // A hint, not a frame: the client's liveness clock starts with the first event or keepalive.
  res.write('retry: 1000\n\n');

  // Frames of one flush go out in one write.
  let buffer = '';
  const write = () => {
    if (buffer === '' || res.destroyed) return;
    const data = buffer;
    buffer = '';
    res.write(data);
  };
  const queue = (frame: string) => {
    if (buffer === '') queueMicrotask(write);
    buffer += frame;
  };

  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    pump.stop();
    ctx.streams.delete(close);
  };
  const close = () => {
    end();
    write();
    res.end();
  };
  const pump = startStreamPump({
    backend: ctx.backend,
    faults: ctx.faults,
    clock: ctx.clock,
    cursor,
    keepaliveMs: ctx.keepaliveMs,
    flushDelayMs: FLUSH_MS,
    sink: {
      event: (event) => queue(sseFrame(event)),
      keepalive: () => queue(': ka\n\n'),
      drop: (reason) => {
        end();
        if (reason === 'offline') {
          socket.destroy();
          return;
        }
        // The events counted before the drop still arrive; then the connection breaks without
        // the chunked terminator, which the client reads as a network failure.
        write();
        socket.destroySoon();
      },
    },
  });
  ctx.streams.add(close);
  res.on('close', end);
}
