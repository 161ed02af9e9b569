import type { IncomingMessage, ServerResponse } from 'node:http';

/** Past this much, the rest of a body nobody reads any more is not drained: the connection is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;
/** Answers up to this size that say their length are read whole and sent in one write. */
const WHOLE_BODY_BYTES = 4 * 1024 * 1024;
/** Methods the Fetch standard forbids in a `Request`. */
const UNREPRESENTABLE = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * Serves a Web-standard handler on `node:http` (and Express, Fastify's raw request and reply,
 * Koa's `ctx.req`/`ctx.res`). The request body is streamed with backpressure; the response body is
 * written as the socket takes it (a stream's bytes wait in the handler, which bounds them); a
 * client that goes away aborts `request.signal` and cancels the response body.
 */
export function toNodeHandler(handler: (request: Request) => Promise<Response>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (UNREPRESENTABLE.has((req.method ?? 'GET').toUpperCase())) {
      // `new Request` throws for these: answer as the handler answers every other method it does not serve.
      req.resume();
      res.writeHead(405, { allow: 'GET, POST, OPTIONS', 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'method-not-allowed', message: 'This server answers GET, POST, OPTIONS only.' } }));
      return;
    }
    serveNode(handler, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'The server failed to answer.' } }));
      } else res.destroy();
    });
  };
}

async function serveNode(handler: (request: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const aborter = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborter.abort();
  });
  const response = await handler(toRequest(req, aborter.signal));
  await writeResponse(res, response);
}

/** A `Request` for a Node request; its body is read on demand. */
export function toRequest(req: IncomingMessage, signal?: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  } catch {
    url = new URL(req.url?.startsWith('/') ? req.url : '/', 'http://localhost');
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: bodyOf(req), duplex: 'half' } : {}),
  } as RequestInit);
}

function bodyOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once('end', () => {
        if (open) controller.close();
        open = false;
      });
      req.once('error', (err) => {
        if (open) controller.error(err);
        open = false;
      });
      req.once('close', () => {
        if (open && !req.complete) controller.error(new Error('the client went away while sending its body'));
        open = false;
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      // The handler answers without the rest (a 413): drain it, so the client reads the answer.
      open = false;
      let drained = 0;
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_LIMIT) req.destroy();
      });
      req.resume();
    },
  });
}

/** Writes a `Response` to a Node response, as fast as the socket takes it. */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const head: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') head[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) head['set-cookie'] = cookies;
  res.writeHead(response.status, head);
  const body = response.body;
  if (!body) return void res.end();
  // A whole answer of known, modest size (every JSON answer of the handler) goes out in one write.
  const length = Number(response.headers.get('content-length') ?? NaN);
  if (length >= 0 && length <= WHOLE_BODY_BYTES) return void res.end(new Uint8Array(await response.arrayBuffer()));
  if (head['content-type']?.includes('text/event-stream')) {
    res.socket?.setNoDelay(true);
    res.socket?.setTimeout(0);
    res.flushHeaders();
  }
  const reader = body.getReader();
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.once('close', onClose);
  // Wakes a wait for 'drain' when the body ends or breaks meanwhile.
  const settled = reader.closed.then(
    () => undefined,
    () => undefined,
  );
  const gone = new Promise<void>((resolve) => res.once('close', resolve));
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        resolve();
      };
      res.on('drain', done);
      void Promise.race([settled, gone]).then(done);
    });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) {
        await drained();
      }
    }
    res.end();
  } catch {
    // The body broke (a stream cut on purpose): break the connection without the chunked
    // terminator, after what was written, so the client reads a network failure.
    const socket = res.socket;
    if (!socket) return;
    socket.destroySoon();
    const cut = setTimeout(() => socket.destroy(), 1000);
    cut.unref();
  } finally {
    res.off('close', onClose);
  }
}
