import { isSyncError } from '../../model/errors.js';
import type { Clock } from '../../platform/clock.js';
import type { SyncConnector } from '../../protocol/wire.js';
import type { Trace, TracedResult } from './trace.js';

/**
 * The connector as the client uses it, telling the trace what each request carried and got.
 * Nothing is measured while nothing listens (no metrics, no inspector): the calls pass straight
 * through. Bytes are the JSON text's length (what the HTTP connector sends, in UTF-16 code units:
 * equal to the UTF-8 bytes for ASCII text, fewer for other scripts); headers and SSE framing are
 * not counted.
 */
/** A failure as the trace names it: the SyncError's kind and its HTTP status when there was one. */
const failure = (error: unknown) => (isSyncError(error) ? { kind: error.kind, status: error.status || null } : { kind: 'network', status: null });

export function traceConnector(connector: SyncConnector, trace: Trace, clock: Clock): SyncConnector {
  const failed = (request: 'push' | 'pull', started: number, error: unknown) => {
    const at = clock.now();
    trace.emit({
      type: 'request-failed',
      at,
      ms: at - started,
      request,
      ...failure(error),
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  };
  const traced: SyncConnector = {
    async push(request, options) {
      if (!trace.observed()) return connector.push(request, options);
      const started = clock.now();
      const writes = request.mutations.map((m) => ({ writeId: m.id, threadId: m.threadId, seq: m.seq }));
      trace.emit({ type: 'push', at: started, writes, bytes: JSON.stringify(request).length });
      const answer = await connector.push(request, options).catch((error: unknown) => failed('push', started, error));
      const results = answer.results.flatMap((r): TracedResult[] => {
        const write = writes.find((w) => w.seq === r.seq); // a batch is at most `batch.maxItems`
        return write ? [{ ...write, status: r.status, ...(r.status === 'rejected' && { code: r.error.code }) }] : [];
      });
      const at = clock.now();
      trace.emit({ type: 'push-answer', at, ms: at - started, bytes: JSON.stringify(answer).length, results });
      return answer;
    },
    async pull(request, options) {
      if (!trace.observed()) return connector.pull(request, options);
      const started = clock.now();
      const answer = await connector.pull(request, options).catch((error: unknown) => failed('pull', started, error));
      const at = clock.now();
      trace.emit({
        type: 'pull',
        at,
        ms: at - started,
        threads: answer.threads.length + (answer.patches?.length ?? 0),
        bytesSent: JSON.stringify(request).length,
        bytesReceived: JSON.stringify(answer).length,
      });
      return answer;
    },
    ping: (options) => connector.ping(options),
  };
  const open = connector.openStream?.bind(connector);
  if (open) {
    traced.openStream = async (stream) => {
      let opened = false;
      const closed = (error: unknown) => {
        if (!opened) return;
        opened = false;
        trace.emit({ type: 'stream-closed', at: clock.now(), ...(error ? failure(error) : { kind: null, status: null }) });
      };
      try {
        await open({
          ...stream,
          onOpen() {
            opened = true;
            trace.emit({ type: 'stream-opened', at: clock.now() });
            stream.onOpen();
          },
          onEvent(event) {
            if (!trace.observed()) return stream.onEvent(event);
            // `id` is the event's cursor: the thread is named inside each kind.
            const threadId =
              event.type === 'delta' ? event.threadId : event.type === 'thread' ? event.thread.id : event.type === 'patch' ? event.patch.threadId : null;
            trace.emit({ type: 'stream-event', at: clock.now(), event: event.type, threadId, bytes: JSON.stringify(event).length });
            stream.onEvent(event);
          },
        });
        closed(null);
      } catch (error) {
        closed(error);
        throw error;
      }
    };
  }
  return traced;
}
