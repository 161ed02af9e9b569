import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SyncError } from 'syncline';
import type { ServerEvent, StreamOptions, Thread } from 'syncline';
import { createFakeClock } from 'syncline/testing';
import { createHttpConnector } from '../../src/transport/httpConnector.js';
import { createEventSizer } from '../../src/transport/sseLimit.js';
import { readEventStream } from '../../src/transport/sseStream.js';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

let server: Server | undefined;
let seen: Seen[] = [];

async function serve(handler: (req: Seen, res: ServerResponse, n: number) => void): Promise<string> {
  seen = [];
  server = createServer((req, res) => {
    const entry = { url: req.url ?? '', headers: req.headers };
    seen.push(entry);
    handler(entry, res, seen.length - 1);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

afterEach(async () => {
  if (!server) return;
  const s = server;
  server = undefined;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});

function eventStream(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
  res.flushHeaders();
}

const thread: Thread = {
  id: 't1',
  v: 2,
  createdAt: 1,
  messages: [{ id: 'm1', role: 'assistant', content: 'héllo 👋', createdAt: 2, status: 'streaming' }],
};
const delta = { threadId: 't1', messageId: 'm1', v: 3, text: ' wörld' };

const STREAM =
  'retry: 2500\n\n' +
  ': ka\n\n' +
  `id: 1\nevent: thread\ndata: ${JSON.stringify(thread)}\n\n` +
  `id: 2\nevent: delta\ndata: ${JSON.stringify(delta)}\n\n` +
  'event: future-thing\ndata: {"x":1}\n\n' +
  ': ka\n\n' +
  'id: 9\nevent: reset\ndata:\n\n';

const EXPECTED: ServerEvent[] = [
  { type: 'thread', id: '1', thread },
  { type: 'delta', id: '2', ...delta },
  { type: 'reset', id: '9' },
];

/** Collects what a stream reports; `log` keeps the order of calls. */
function recorder(cursor: string | null = null, signal = new AbortController().signal) {
  const log: string[] = [];
  const events: ServerEvent[] = [];
  const retries: number[] = [];
  const options: StreamOptions = {
    cursor,
    signal,
    onOpen: () => log.push('open'),
    onFrame: () => log.push('frame'),
    onEvent: (event) => {
      log.push(`event:${event.type}`);
      events.push(event);
    },
    onRetryHint: (ms) => retries.push(ms),
  };
  return { log, events, retries, options };
}

function bodyOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SyncError);
  return error as SyncError;
}

describe('openStream over loopback HTTP', () => {
  it('delivers events, counts keepalives as frames, reports the retry hint and resolves when the server ends', async () => {
    const url = await serve((_req, res) => {
      eventStream(res);
      res.end(STREAM);
    });
    const r = recorder();
    await createHttpConnector({ baseUrl: url, headers: () => ({ authorization: 'Bearer a' }) }).openStream!(r.options);
    expect(r.events).toEqual(EXPECTED);
    expect(r.retries).toEqual([2500]);
    // open first; 2 keepalives + 4 events (the unknown one included) are frames; retry: is not.
    expect(r.log).toEqual([
      'open', 'frame', 'frame', 'event:thread', 'frame', 'event:delta', 'frame', 'frame', 'frame', 'event:reset',
    ]);
    expect(seen[0]!.url).toBe('/events?protocol=2');
    expect(seen[0]!.headers.accept).toBe('text/event-stream');
    expect(seen[0]!.headers.authorization).toBe('Bearer a');
    expect(seen[0]!.headers['last-event-id']).toBeUndefined();
  });

  it('resumes with Last-Event-ID and ?cursor=', async () => {
    const url = await serve((_req, res) => {
      eventStream(res);
      res.end(': ka\n\n');
    });
    await createHttpConnector({ baseUrl: url }).openStream!(recorder('c 42').options);
    expect(seen[0]!.headers['last-event-id']).toBe('c 42');
    expect(seen[0]!.url).toBe('/events?protocol=2&cursor=c%2042');
  });

  it('delivers events written a few bytes at a time', async () => {
    const bytes = new TextEncoder().encode(STREAM);
    const url = await serve(async (_req, res) => {
      eventStream(res);
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    const r = recorder();
    await createHttpConnector({ baseUrl: url }).openStream!(r.options);
    expect(r.events).toEqual(EXPECTED);
  });

  it('rejects with a protocol error on invalid event data, after delivering what came before', async () => {
    const url = await serve((_req, res) => {
      eventStream(res);
      res.write(`id: 1\nevent: thread\ndata: ${JSON.stringify(thread)}\n\n`);
      res.write(`id: 2\nevent: thread\ndata: ${JSON.stringify({ ...thread, v: -1 })}\n\n`);
      res.write(`id: 3\nevent: delta\ndata: ${JSON.stringify(delta)}\n\n`);
    });
    const r = recorder();
    const error = await failure(createHttpConnector({ baseUrl: url }).openStream!(r.options));
    expect(error).toMatchObject({ kind: 'protocol', retryable: true });
    expect(error.message).toContain('GET /events');
    expect(r.events).toEqual([{ type: 'thread', id: '1', thread }]);
  });

  it('resolves when the signal aborts mid-stream', async () => {
    const url = await serve((_req, res) => {
      eventStream(res);
      res.write(': ka\n\n');
    });
    const controller = new AbortController();
    const r = recorder(null, controller.signal);
    r.options.onFrame = () => controller.abort();
    await expect(createHttpConnector({ baseUrl: url }).openStream!(r.options)).resolves.toBeUndefined();
  });

  it('resolves at once when the signal is already aborted', async () => {
    const url = await serve(() => undefined);
    const r = recorder(null, AbortSignal.abort());
    await createHttpConnector({ baseUrl: url }).openStream!(r.options);
    expect(seen).toHaveLength(0);
  });

  it('rejects with a network error when the connection breaks mid-stream', async () => {
    const url = await serve((_req, res) => {
      eventStream(res);
      res.write(': ka\n\n', () => setImmediate(() => res.destroy()));
    });
    const r = recorder();
    const error = await failure(createHttpConnector({ baseUrl: url }).openStream!(r.options));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(r.log).toEqual(['open', 'frame']);
  });

  it('is not bounded by timeoutMs', async () => {
    const url = await serve((_req, res) => {
      eventStream(res);
      res.write(': ka\n\n');
    });
    const clock = createFakeClock();
    const controller = new AbortController();
    const r = recorder(null, controller.signal);
    r.options.onFrame = () => {
      expect(clock.pendingTimers()).toBe(0);
      controller.abort();
    };
    await createHttpConnector({ baseUrl: url, clock, timeoutMs: 1 }).openStream!(r.options);
  });

  it('asks headers() again after a 401 and opens with the new token', async () => {
    const url = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer fresh') {
        res.writeHead(401);
        res.end();
        return;
      }
      eventStream(res);
      res.end(': ka\n\n');
    });
    const headers = vi.fn().mockReturnValueOnce({ authorization: 'Bearer stale' }).mockReturnValue({ authorization: 'Bearer fresh' });
    const r = recorder();
    await createHttpConnector({ baseUrl: url, headers }).openStream!(r.options);
    expect(headers).toHaveBeenCalledTimes(2);
    expect(r.log).toEqual(['open', 'frame']);
  });

  it('maps a second 403 to auth and a 503 to a retryable http error, without opening', async () => {
    const url = await serve((_req, res, n) => {
      res.writeHead(n < 2 ? 403 : 503, { 'retry-after': '3' });
      res.end();
    });
    const connector = createHttpConnector({ baseUrl: url });
    const r = recorder();
    expect(await failure(connector.openStream!(r.options))).toMatchObject({ kind: 'auth', status: 403 });
    expect(await failure(connector.openStream!(r.options))).toMatchObject({
      kind: 'http', status: 503, retryable: true, retryAfterMs: 3000,
    });
    expect(r.log).toEqual([]);
  });

  it('rejects a 200 that is not an event stream', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy</html>');
    });
    const r = recorder();
    const error = await failure(createHttpConnector({ baseUrl: url }).openStream!(r.options));
    expect(error).toMatchObject({ kind: 'protocol', status: undefined });
    expect(r.log).toEqual([]);
  });

  it('reports a refused connection as a network error', async () => {
    const url = await serve(() => undefined);
    const s = server!;
    server = undefined;
    await new Promise((resolve) => s.close(resolve));
    expect(await failure(createHttpConnector({ baseUrl: url }).openStream!(recorder().options))).toMatchObject({
      kind: 'network',
    });
  });
});

describe('readEventStream', () => {
  const bytes = new TextEncoder().encode(STREAM);

  it('gives the same events for every split of the body into two chunks, mid-character included', async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = recorder();
      await readEventStream(bodyOf([bytes.subarray(0, cut), bytes.subarray(cut)]), r.options);
      expect(r.events, `cut at byte ${cut}`).toEqual(EXPECTED);
      expect(r.retries).toEqual([2500]);
    }
  });

  it('gives the same events when every byte is its own chunk, with CRLF line ends', async () => {
    const crlf = new TextEncoder().encode(STREAM.replace(/\n/g, '\r\n'));
    const r = recorder();
    await readEventStream(bodyOf([...crlf].map((b) => Uint8Array.of(b))), r.options);
    expect(r.events).toEqual(EXPECTED);
  });

  it('reads a body whose chunks are another realm\'s Uint8Array (a test DOM, a polyfilled fetch) as bytes, not as an oversized event', async () => {
    const foreign = runInNewContext('Uint8Array') as Uint8ArrayConstructor;
    expect(new foreign(1) instanceof Uint8Array).toBe(false);
    const r = recorder();
    await readEventStream(bodyOf([foreign.from(bytes)]), r.options);
    expect(r.events).toEqual(EXPECTED);
  });

  it('keeps the last event id for events that carry none', async () => {
    const text = `id: 5\nevent: thread\ndata: ${JSON.stringify(thread)}\n\nevent: delta\ndata: ${JSON.stringify(delta)}\n\n`;
    const r = recorder('4');
    await readEventStream(bodyOf([new TextEncoder().encode(text)]), r.options);
    expect(r.events.map((e) => e.id)).toEqual(['5', '5']);
  });

  it('rejects a thread event without any id, and an event with bad JSON, without delivering them', async () => {
    for (const text of [
      `event: thread\ndata: ${JSON.stringify(thread)}\n\n`,
      'id: 1\nevent: delta\ndata: {"threadId":"t1",\n\n',
      `id: 1\nevent: delta\ndata: ${JSON.stringify({ ...delta, v: '3' })}\n\n`,
    ]) {
      const r = recorder();
      const error = await failure(readEventStream(bodyOf([new TextEncoder().encode(text)]), r.options));
      expect(error.kind).toBe('protocol');
      expect(r.log).toEqual([]);
    }
  });

  it('drops an event cut off by the end of the body', async () => {
    const text = `id: 1\nevent: thread\ndata: ${JSON.stringify(thread)}\n`;
    const r = recorder();
    await readEventStream(bodyOf([new TextEncoder().encode(text)]), r.options);
    expect(r.log).toEqual([]);
  });
});

describe('an event over maxEventBytes', () => {
  const LIMIT = 300;
  const big: Thread = { ...thread, id: 'big', messages: [{ id: 'm9', role: 'user', content: 'x'.repeat(2000), createdAt: 3 }] };
  const bigDelta = { threadId: 'big', messageId: 'm9', v: 4, text: 'y'.repeat(2000) };
  const SKIPPING =
    `id: 1\nevent: thread\ndata: ${JSON.stringify(thread)}\n\n` +
    `id: 2\nevent: thread\ndata: ${JSON.stringify(big)}\n\n` +
    ': ka\n\n' +
    `id: 3\nevent: delta\ndata: ${JSON.stringify(bigDelta)}\n\n` +
    `event: delta\ndata: ${JSON.stringify(delta)}\n\n`;

  function skipRecorder() {
    const r = recorder();
    const skipped: unknown[] = [];
    r.options.onOversizedEvent = (event) => {
      r.log.push('oversized');
      skipped.push(event);
    };
    return { ...r, skipped };
  }

  const expectSkipped = (r: ReturnType<typeof skipRecorder>) => {
    // The small events arrive; the large ones are frames reported as skipped, naming their thread.
    expect(r.events).toEqual([
      { type: 'thread', id: '1', thread },
      // The skipped events did not move the last event id.
      { type: 'delta', id: '1', ...delta },
    ]);
    expect(r.skipped).toEqual([
      { type: 'thread', threadId: 'big' },
      { type: 'delta', threadId: 'big' },
    ]);
    expect(r.log).toEqual(['frame', 'event:thread', 'frame', 'oversized', 'frame', 'frame', 'oversized', 'frame', 'event:delta']);
  };

  it('is skipped, reported with its thread, and the stream goes on', async () => {
    const r = skipRecorder();
    await readEventStream(bodyOf([new TextEncoder().encode(SKIPPING)]), r.options, LIMIT);
    expectSkipped(r);
  });

  it('gives the same result for every split into two chunks and for one byte at a time with CRLF', async () => {
    const bytes = new TextEncoder().encode(SKIPPING);
    for (let cut = 0; cut <= bytes.length; cut += 7) {
      const r = skipRecorder();
      await readEventStream(bodyOf([bytes.subarray(0, cut), bytes.subarray(cut)]), r.options, LIMIT);
      expectSkipped(r);
    }
    const crlf = new TextEncoder().encode(SKIPPING.replace(/\n/g, '\r\n'));
    const r = skipRecorder();
    await readEventStream(bodyOf([...crlf].map((b) => Uint8Array.of(b))), r.options, LIMIT);
    expectSkipped(r);
  });

  it('names no thread when the start does not say which (every thread is then pulled)', async () => {
    const text =
      `id: 1\ndata: ${JSON.stringify(big).repeat(3)}\nevent: thread\n\n` + // type after the data
      `id: 2\nevent: thread\ndata: {"v":2,"id":"big","pad":"${'z'.repeat(500)}"}\n\n` + // id not first
      `id: 3\nevent: delta\ndata: ${'w'.repeat(5000)}{"threadId":"big"}\n\n`; // past the kept start
    const r = skipRecorder();
    await readEventStream(bodyOf([new TextEncoder().encode(text)]), r.options, LIMIT);
    expect(r.skipped).toEqual([
      { type: null, threadId: null },
      { type: 'thread', threadId: null },
      { type: 'delta', threadId: null },
    ]);
  });

  it('is dropped as it arrives: an endless event never reaches the parser past the limit', async () => {
    const sizeOf = createEventSizer(256 * 1024);
    const chunk = new TextEncoder().encode('data: ' + 'x'.repeat(64 * 1024 - 6));
    let fed = 0;
    for (let i = 0; i < 1600; i++) {
      // 100 MiB of one event, and then its end.
      for (const part of sizeOf(i === 0 ? chunk : chunk.subarray(6))) if (part instanceof Uint8Array) fed += part.length;
    }
    expect(fed).toBeLessThanOrEqual(256 * 1024);
    const end = sizeOf(new TextEncoder().encode('\n\n: ka\n\n'));
    expect(end).toEqual([{ type: null, threadId: null }, new TextEncoder().encode(': ka\n\n')]);
  });

  it('is read whole up to the limit, exactly', async () => {
    const event = `id: 1\nevent: thread\ndata: ${JSON.stringify(thread)}\n\n`;
    const bytes = new TextEncoder().encode(event).length;
    const within = skipRecorder();
    await readEventStream(bodyOf([new TextEncoder().encode(event)]), within.options, bytes);
    expect(within.events).toHaveLength(1);
    const over = skipRecorder();
    await readEventStream(bodyOf([new TextEncoder().encode(event)]), over.options, bytes - 1);
    expect(over.skipped).toEqual([{ type: 'thread', threadId: 't1' }]);
  });
});

describe('the event sizer, property-based', () => {
  it('delivers every event under the limit and reports every one over it, for any line ends and chunking', async () => {
    const LIMIT = 400;
    const eventArb = fc.record({
      big: fc.boolean(),
      text: fc.string({ unit: fc.constantFrom('a', 'é', '👋', '"', '\\'), maxLength: 60 }),
      keepalive: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 20 }),
        async (specs, eol, cuts) => {
          let text = '';
          specs.forEach((spec, i) => {
            const data = { threadId: `t${i}`, messageId: 'm', v: i + 1, text: spec.big ? spec.text.padEnd(2 * LIMIT, 'x') : spec.text };
            text += `id: ${i + 1}${eol}event: delta${eol}data: ${JSON.stringify(data)}${eol}${eol}`;
            if (spec.keepalive) text += `: ka${eol}${eol}`;
          });
          // eventsource-parser waits for the byte after a final CR (it may begin a CRLF): one more.
          const bytes = new TextEncoder().encode(`${text}\n`);
          const chunks: Uint8Array[] = [];
          for (let at = 0, k = 0; at < bytes.length; k++) {
            const next = Math.min(bytes.length, at + cuts[k % cuts.length]!);
            chunks.push(bytes.subarray(at, next));
            at = next;
          }
          const r = recorder();
          const skipped: string[] = [];
          r.options.onOversizedEvent = (e) => skipped.push(e.threadId ?? '?');
          await readEventStream(bodyOf(chunks), r.options, LIMIT);
          expect(r.events.map((e) => (e.type === 'delta' ? e.threadId : e.type))).toEqual(
            specs.flatMap((s, i) => (s.big ? [] : [`t${i}`])),
          );
          expect(skipped).toEqual(specs.flatMap((s, i) => (s.big ? [`t${i}`] : [])));
          expect(r.log.filter((l) => l === 'frame')).toHaveLength(specs.length + specs.filter((s) => s.keepalive).length);
        },
      ),
      { seed: 9, numRuns: 300 },
    );
  });
});
