import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SyncError } from 'syncline';
import type { PushRequest, SyncConnector, Thread } from 'syncline';
// Deep import until src/index.ts exports createHttpConnector (owned by the lead).
import { createHttpConnector } from '../../src/transport/httpConnector.js';
import { createFakeClock } from 'syncline/testing';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen, res: ServerResponse, n: number) => void;

let server: Server | undefined;
let seen: Seen[] = [];
let arrived: (() => void)[] = [];

/** A loopback server; `handler` answers request number `n` (0-based). */
async function serve(handler: Handler): Promise<string> {
  seen = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      arrived.splice(0).forEach((fn) => fn());
      handler(entry, res, seen.length - 1);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function nextRequest(): Promise<void> {
  return new Promise((resolve) => arrived.push(resolve));
}

afterEach(async () => {
  arrived = [];
  if (!server) return;
  const s = server;
  server = undefined;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});

function json(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const pushRequest: PushRequest = {
  clientId: 'c1',
  epoch: 1,
  mutations: [
    { seq: 1, id: 'w1', threadId: 't1', name: 'setTitle', args: { title: 'a' }, createdAt: 1 },
    { seq: 2, id: 'w2', threadId: 't1', name: 'deleteMessage', args: { messageId: 'x' }, createdAt: 2 },
  ],
};
const pushOk = {
  lastSeq: 2,
  results: [
    { seq: 1, status: 'applied', v: 1 },
    { seq: 2, status: 'rejected', error: { code: 'not-found', message: 'no message x' } },
  ],
};
const thread: Thread = {
  id: 't1',
  v: 3,
  createdAt: 1,
  title: 'Hi',
  messages: [{ id: 'm1', role: 'user', content: 'hello', createdAt: 2 }],
};

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SyncError);
  return error as SyncError;
}

describe('createHttpConnector: requests', () => {
  it('pushes JSON to /push with fresh headers and returns the validated answer', async () => {
    const url = await serve((_req, res) => json(res, pushOk));
    let n = 0;
    const connector = createHttpConnector({ baseUrl: `${url}/`, headers: () => ({ authorization: `Bearer t${++n}` }) });
    await expect(connector.push(pushRequest)).resolves.toEqual(pushOk);
    await connector.push(pushRequest);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/push' });
    expect(JSON.parse(seen[0]!.body)).toEqual(pushRequest);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('pulls from /pull', async () => {
    const url = await serve((_req, res) => json(res, { cursor: 'c9', threads: [thread] }));
    const connector = createHttpConnector({ baseUrl: url, headers: async () => ({ 'x-token': 'k' }) });
    const request = { clientId: 'c1', cursor: 'c1', threads: { t1: 2 } };
    await expect(connector.pull(request)).resolves.toEqual({ cursor: 'c9', threads: [thread] });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/pull' });
    expect(JSON.parse(seen[0]!.body)).toEqual(request);
    expect(seen[0]!.headers['x-token']).toBe('k');
  });

  it('pings GET /ping and accepts 204 and 200', async () => {
    const url = await serve((_req, res, n) => {
      res.writeHead(n === 0 ? 204 : 200);
      res.end();
    });
    const connector = createHttpConnector({ baseUrl: url });
    await expect(connector.ping()).resolves.toBeUndefined();
    await expect(connector.ping()).resolves.toBeUndefined();
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /ping', 'GET /ping']);
  });

  it('treats a 200 HTML page on /ping as a protocol error (a captive portal, not the server)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Sign in to the hotel wifi</html>');
    });
    const error = await failure(createHttpConnector({ baseUrl: url }).ping());
    expect(error).toMatchObject({ kind: 'protocol', retryable: true, status: undefined });
  });
});

describe('createHttpConnector: invalid answers are retryable protocol errors', () => {
  const badThread = { ...thread, messages: [{ id: 'm1', role: 'robot', content: 'x', createdAt: 1 }] };
  const cases: [string, 'push' | 'pull', (res: ServerResponse) => void][] = [
    ['an HTML page with status 200', 'push', (res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><h1>Bad gateway</h1>');
    }],
    ['JSON sent as text/plain', 'push', (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(JSON.stringify(pushOk));
    }],
    ['no content-type', 'pull', (res) => {
      res.writeHead(200);
      res.end(JSON.stringify({ cursor: 'c', threads: [] }));
    }],
    ['truncated JSON', 'push', (res) => json(res, JSON.stringify(pushOk).slice(0, 30))],
    ['an HTML body labelled JSON', 'pull', (res) => json(res, '<html>oops</html>')],
    ['a missing field', 'push', (res) => json(res, { results: pushOk.results })],
    ['a wrong type', 'pull', (res) => json(res, { cursor: 7, threads: [] })],
    ['seqs that do not match the request', 'push', (res) =>
      json(res, { lastSeq: 3, results: [pushOk.results[0], { seq: 3, status: 'applied' }] })],
    ['too few results', 'push', (res) => json(res, { lastSeq: 2, results: [pushOk.results[0]] })],
    ['a bad status string', 'push', (res) =>
      json(res, { lastSeq: 2, results: [pushOk.results[0], { seq: 2, status: 'ok' }] })],
    ['an invalid message in a thread', 'pull', (res) => json(res, { cursor: 'c', threads: [badThread] })],
    ['a negative version', 'pull', (res) => json(res, { cursor: 'c', threads: [{ ...thread, v: -1 }] })],
    ['a fractional version', 'push', (res) =>
      json(res, { lastSeq: 2, results: [{ seq: 1, status: 'applied', v: 1.5 }, pushOk.results[1]] })],
    ['JSON null', 'pull', (res) => json(res, 'null')],
  ];

  it.each(cases)('%s', async (_name, method, answer) => {
    const url = await serve((_req, res) => answer(res));
    const connector = createHttpConnector({ baseUrl: url });
    const error = await failure(
      method === 'push' ? connector.push(pushRequest) : connector.pull({ clientId: 'c1', threads: {} }),
    );
    expect(error.kind).toBe('protocol');
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain(method === 'push' ? 'POST /push' : 'POST /pull');
  });
});

describe('createHttpConnector: status codes', () => {
  it('asks headers() again after a 401 and retries once with the new token', async () => {
    const url = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer fresh') {
        res.writeHead(401);
        res.end();
      } else json(res, pushOk);
    });
    const headers = vi.fn().mockResolvedValueOnce({ authorization: 'Bearer stale' }).mockResolvedValue({ authorization: 'Bearer fresh' });
    const connector = createHttpConnector({ baseUrl: url, headers });
    await expect(connector.push(pushRequest)).resolves.toEqual(pushOk);
    expect(headers).toHaveBeenCalledTimes(2);
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('rejects with auth after a second 403', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(403);
      res.end('forbidden');
    });
    const headers = vi.fn(() => ({ authorization: 'Bearer x' }));
    const error = await failure(createHttpConnector({ baseUrl: url, headers }).pull({ clientId: 'c', threads: {} }));
    expect(error).toMatchObject({ kind: 'auth', status: 403, retryable: false });
    expect(headers).toHaveBeenCalledTimes(2);
    expect(seen).toHaveLength(2);
  });

  it('reports a headers() failure as a retryable auth error', async () => {
    const url = await serve((_req, res) => json(res, pushOk));
    const headers = () => Promise.reject(new Error('refresh endpoint down'));
    const error = await failure(createHttpConnector({ baseUrl: url, headers }).push(pushRequest));
    expect(error).toMatchObject({ kind: 'auth', retryable: true });
    expect(error.message).toContain('refresh endpoint down');
    expect(seen).toHaveLength(0);
  });

  const statuses: [number, string, boolean][] = [
    [409, 'fenced', false],
    [413, 'http', false],
    [400, 'protocol', false],
    [404, 'protocol', false],
    [422, 'protocol', false],
    [408, 'http', true],
    [500, 'http', true],
    [503, 'http', true],
  ];
  it.each(statuses)('maps %i to %s (retryable: %s)', async (status, kind, retryable) => {
    const url = await serve((_req, res) => json(res, { error: 'x' }, status));
    const error = await failure(createHttpConnector({ baseUrl: url }).push(pushRequest));
    expect(error).toMatchObject({ kind, retryable, status });
    expect(error.message).toContain('POST /push');
  });

  it('honours Retry-After in seconds and as an HTTP date on a 429', async () => {
    const clock = createFakeClock({ now: Date.UTC(2030, 0, 1, 12, 0, 0) });
    const date = new Date(clock.now() + 5000).toUTCString();
    const url = await serve((_req, res, n) =>
      json(res, {}, 429, { 'retry-after': n === 0 ? '2' : date }),
    );
    const connector = createHttpConnector({ baseUrl: url, clock });
    expect(await failure(connector.ping())).toMatchObject({ kind: 'http', status: 429, retryable: true, retryAfterMs: 2000 });
    expect(await failure(connector.ping())).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 5000 });
  });
});

describe('createHttpConnector: network, timeout and abort', () => {
  it('reports a refused connection as a network error', async () => {
    const url = await serve(() => undefined);
    const s = server!;
    server = undefined;
    await new Promise((resolve) => s.close(resolve));
    const error = await failure(createHttpConnector({ baseUrl: url }).push(pushRequest));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(error.message).toContain('POST /push');
  });

  it('reports a body that breaks off mid-way as a network error', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"lastSeq":2,"res', () => res.destroy());
    });
    const error = await failure(createHttpConnector({ baseUrl: url }).push(pushRequest));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });

  it('times out a hanging server after timeoutMs on the injected clock', async () => {
    const url = await serve(() => undefined);
    const clock = createFakeClock();
    const connector = createHttpConnector({ baseUrl: url, timeoutMs: 150, clock });
    const result = failure(connector.push(pushRequest));
    await nextRequest();
    clock.advance(149);
    clock.advance(1);
    const error = await result;
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toContain('150 ms');
  });

  it('times out a hanging headers() too', async () => {
    const url = await serve((_req, res) => json(res, pushOk));
    const clock = createFakeClock();
    const connector = createHttpConnector({ baseUrl: url, timeoutMs: 150, clock, headers: () => new Promise(() => undefined) });
    const result = failure(connector.ping());
    clock.advance(150);
    expect(await result).toMatchObject({ kind: 'timeout' });
    expect(seen).toHaveLength(0);
  });

  it('times out a body that stalls after the headers', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"cursor":');
    });
    const clock = createFakeClock();
    const connector = createHttpConnector({ baseUrl: url, timeoutMs: 1000, clock });
    const result = failure(connector.pull({ clientId: 'c', threads: {} }));
    await nextRequest();
    await clock.advanceAsync(1000);
    expect(await result).toMatchObject({ kind: 'timeout' });
  });

  it('clears its timer once answered', async () => {
    const url = await serve((_req, res) => json(res, pushOk));
    const clock = createFakeClock();
    await createHttpConnector({ baseUrl: url, clock }).push(pushRequest);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects with an aborted network error when the caller aborts', async () => {
    const url = await serve(() => undefined);
    const controller = new AbortController();
    const connector = createHttpConnector({ baseUrl: url, clock: createFakeClock() });
    const result = failure(connector.pull({ clientId: 'c', threads: {} }, { signal: controller.signal }));
    await nextRequest();
    controller.abort();
    const error = await result;
    expect(error).toMatchObject({ kind: 'network' });
    expect(error.message).toMatch(/aborted/);
  });

  it('does not send at all when the signal is already aborted', async () => {
    const url = await serve(() => undefined);
    const error = await failure(createHttpConnector({ baseUrl: url }).ping({ signal: AbortSignal.abort() }));
    expect(error.message).toMatch(/aborted/);
    expect(seen).toHaveLength(0);
  });

  it('passes keepalive to fetch for the last push on pagehide', async () => {
    const url = await serve((_req, res) => json(res, pushOk));
    const inits: (RequestInit | undefined)[] = [];
    const spy: typeof fetch = (input, init) => {
      inits.push(init);
      return fetch(input, init);
    };
    const connector: SyncConnector = createHttpConnector({ baseUrl: url, fetch: spy });
    await connector.push(pushRequest, { keepalive: true });
    await connector.push(pushRequest);
    expect(inits[0]?.keepalive).toBe(true);
    expect(inits[1]?.keepalive).toBeUndefined();
  });

  it('reads globalThis.fetch at call time, not when created', async () => {
    const url = await serve((_req, res) => json(res, pushOk));
    const connector = createHttpConnector({ baseUrl: url });
    const spy = vi.spyOn(globalThis, 'fetch');
    await connector.push(pushRequest);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('createHttpConnector: redirects', () => {
  let foreign: Server | undefined;
  let foreignSeen: string[] = [];

  /** Another origin (another port) that would take anything: it must receive nothing. */
  async function foreignOrigin(): Promise<string> {
    foreignSeen = [];
    foreign = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        foreignSeen.push(`${req.method} ${req.url} ${body}`);
        json(res, req.url === '/pull' ? { cursor: 'evil', threads: [] } : pushOk);
      });
    });
    await new Promise<void>((resolve) => foreign!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    if (!foreign) return;
    const f = foreign;
    foreign = undefined;
    f.closeAllConnections();
    await new Promise((resolve) => f.close(resolve));
  });

  const calls: Record<string, (c: SyncConnector) => Promise<unknown>> = {
    'POST /push': (c) => c.push(pushRequest),
    'POST /pull': (c) => c.pull({ clientId: 'c1', cursor: null, threads: { t1: 0 } }),
    'GET /ping': (c) => c.ping(),
    'GET /events': (c) =>
      c.openStream!({ cursor: null, signal: new AbortController().signal, onOpen: vi.fn(), onFrame: vi.fn(), onEvent: vi.fn() }),
  };

  describe.each(Object.keys(calls))('%s', (route) => {
    it.each([301, 302, 303, 307, 308])('%i to another origin: a retryable protocol error, nothing sent there', async (status) => {
      const elsewhere = await foreignOrigin();
      const url = await serve((req, res) => {
        res.writeHead(status, { location: `${elsewhere}${req.url}` });
        res.end();
      });
      const error = await failure(calls[route]!(createHttpConnector({ baseUrl: url })));
      expect(error).toMatchObject({ kind: 'protocol', retryable: true, status });
      expect(error.message).toContain(route);
      expect(error.message).toContain(elsewhere);
      expect(seen).toHaveLength(1);
      expect(foreignSeen).toEqual([]);
    });
  });

  it.each([307, 308, 301, 302, 303])('follows a %i within the origin, with method, body and headers', async (status) => {
    const url = await serve((req, res) => {
      if (req.url === '/push') {
        res.writeHead(status, { location: '/v2/push' });
        res.end();
      } else json(res, pushOk);
    });
    const connector = createHttpConnector({ baseUrl: url, headers: () => ({ authorization: 'Bearer a' }) });
    await expect(connector.push(pushRequest)).resolves.toEqual(pushOk);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /push', 'POST /v2/push']);
    expect(JSON.parse(seen[1]!.body)).toEqual(pushRequest);
    expect(seen[1]!.headers.authorization).toBe('Bearer a');
  });

  it('follows a same-origin redirect of the event stream', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/events?protocol=2') {
        res.writeHead(307, { location: `${url}/stream` });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(': ka\n\n');
    });
    const onFrame = vi.fn();
    await createHttpConnector({ baseUrl: url }).openStream!({
      cursor: null, signal: new AbortController().signal, onOpen: vi.fn(), onFrame, onEvent: vi.fn(),
    });
    expect(onFrame).toHaveBeenCalledTimes(1);
    expect(seen.map((r) => r.url)).toEqual(['/events?protocol=2', '/stream']);
  });

  it('gives up after 5 same-origin hops, and on a 3xx without a Location', async () => {
    const url = await serve((req, res, n) => {
      res.writeHead(307, req.url === '/ping' ? {} : { location: `/loop${n}` });
      res.end();
    });
    const connector = createHttpConnector({ baseUrl: url });
    expect(await failure(connector.push(pushRequest))).toMatchObject({ kind: 'protocol', retryable: true });
    expect(seen).toHaveLength(6);
    const error = await failure(connector.ping());
    expect(error).toMatchObject({ kind: 'protocol', retryable: true, status: 307 });
    expect(error.message).toContain('without a usable Location');
  });

  it("never takes the answer of a fetch that followed to another origin by itself, nor a browser's opaque redirect", async () => {
    const followed = (init?: RequestInit) => {
      expect(init?.redirect).toBe('manual');
      const res = new Response(JSON.stringify(pushOk), { headers: { 'content-type': 'application/json' } });
      Object.defineProperty(res, 'redirected', { value: true });
      Object.defineProperty(res, 'url', { value: 'https://elsewhere.example/push' });
      return Promise.resolve(res);
    };
    const a = createHttpConnector({ baseUrl: 'https://api.example/sync', fetch: (_u, init) => followed(init) });
    expect(await failure(a.push(pushRequest))).toMatchObject({ kind: 'protocol', retryable: true });
    const opaque = () => {
      const res = new Response(null, { status: 200 });
      Object.defineProperty(res, 'type', { value: 'opaqueredirect' });
      Object.defineProperty(res, 'status', { value: 0 });
      return Promise.resolve(res);
    };
    const b = createHttpConnector({ baseUrl: 'https://api.example/sync', fetch: opaque });
    const error = await failure(b.pull({ clientId: 'c1', cursor: null, threads: {} }));
    expect(error).toMatchObject({ kind: 'protocol', retryable: true, status: undefined });
    expect(error.message).toContain('a browser does not say where to');
  });
});

describe('createHttpConnector: answer size', () => {
  it('refuses an answer whose declared length is over maxBodyBytes, without reading it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2048) });
      res.write('{"cursor":"');
    });
    const error = await failure(createHttpConnector({ baseUrl: url, maxBodyBytes: 1024 }).pull({ clientId: 'c', threads: {} }));
    expect(error).toMatchObject({ kind: 'protocol', retryable: true });
    expect(error.message).toContain('maxBodyBytes (1024 bytes)');
  });

  it('stops reading an endless answer at maxBodyBytes and hangs up', async () => {
    let written = 0;
    let closed = false;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('close', () => (closed = true));
      const chunk = `[${'0,'.repeat(32 * 1024)}`;
      const pump = () => {
        while (!res.destroyed && written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    const error = await failure(createHttpConnector({ baseUrl: url, maxBodyBytes: 1024 * 1024 }).push(pushRequest));
    expect(error).toMatchObject({ kind: 'protocol', retryable: true });
    await vi.waitFor(() => expect(closed).toBe(true));
    // Far less than the 512 MiB the server would have sent: what the socket buffers held.
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('reads an answer up to maxBodyBytes whole', async () => {
    const body = JSON.stringify({ cursor: 'c', threads: [thread] });
    const url = await serve((_req, res) => json(res, body));
    const connector = createHttpConnector({ baseUrl: url, maxBodyBytes: Buffer.byteLength(body) });
    await expect(connector.pull({ clientId: 'c', threads: {} })).resolves.toEqual({ cursor: 'c', threads: [thread] });
  });
});
