import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';
import { within } from './within';

// Issue 9 item 2: a redirect to another origin is never followed with the app's data, on any
// route; same-origin redirects work. Real HTTP and SSE on loopback, bounded waits.
let dev: DevServer;
let proxy: Server;
let foreign: Server;
let proxyUrl: string;
let foreignUrl: string;
/** Every request the foreign origin received: there must be none. */
let foreignSeen: string[] = [];
/** How the proxy answers the next requests of each route, in turn; then it forwards. */
let plan: Record<string, Array<'foreign' | 'same-origin'>> = {};
const clients: SyncClient[] = [];

const EVIL = { id: 'r', v: 99, createdAt: 1, title: 'from elsewhere', messages: [{ id: 'x', role: 'user', content: 'EVIL', createdAt: 1 }] };

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** Forwards to the dev server, streams included; `/moved/x` is the same-origin home of `/x`. */
function forward(req: IncomingMessage, res: ServerResponse) {
  const target = new URL(dev.url);
  const path = (req.url ?? '/').replace(/^\/moved/, '');
  const upstream = httpRequest(
    { host: target.hostname, port: target.port, path, method: req.method, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

beforeEach(async () => {
  dev = await createDevServer({ keepaliveMs: 300 });
  foreignSeen = [];
  plan = {};
  foreign = createServer((req, res) => {
    foreignSeen.push(`${req.method} ${req.url}`);
    // What a hostile origin would answer: acks for anything, a thread that is not the server's.
    if (req.url?.startsWith('/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`id: 999\nevent: thread\ndata: ${JSON.stringify(EVIL)}\n\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/pull' ? { cursor: '999', threads: [EVIL] } : { lastSeq: 1, results: [{ seq: 1, status: 'applied', v: 99 }] }));
  });
  foreignUrl = await listen(foreign);
  proxy = createServer((req, res) => {
    const route = (req.url ?? '').split('?')[0]!;
    const next = plan[route]?.shift();
    if (next === 'foreign') {
      res.writeHead(307, { location: `${foreignUrl}${req.url}` });
      res.end();
    } else if (next === 'same-origin') {
      res.writeHead(308, { location: `/moved${req.url}` });
      res.end();
    } else forward(req, res);
  });
  proxyUrl = await listen(proxy);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  for (const s of [proxy, foreign]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await dev.close();
});

async function client() {
  const c = createSyncClient({
    connector: createHttpConnector({ baseUrl: proxyUrl, timeoutMs: 2000 }),
    storage: createMemoryStorage(),
    liveness: { staleAfterMs: 2000 },
    retry: { baseMs: 20, maxMs: 200 },
    poll: { activeMs: 200, idleMs: 400 },
    batch: { windowMs: 5 },
  });
  clients.push(c);
  c.start();
  await c.ready;
  return c;
}

const msg = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });

describe('redirects over loopback', () => {
  it('to another origin on every route: nothing goes there, the write lands on the real server, the view is its', async () => {
    const redirected = ['foreign', 'foreign', 'foreign'] as const;
    plan = { '/push': [...redirected], '/pull': [...redirected], '/events': [...redirected], '/ping': [...redirected] };
    const a = await client();
    a.watch('r');
    a.mutate('r', 'addMessage', msg('hello'));
    const consumed = () => ['/push', '/pull', '/events'].every((route) => plan[route]!.length === 0);
    await within(10_000, () => consumed() && dev.backend.thread('r')?.messages.length === 1 && a.getHealthStatus().state === 'live');
    await a.flushPending({ timeoutMs: 5000 });
    await within(5000, () => a.getThread('r')?.v === dev.backend.thread('r')?.v);

    expect(foreignSeen).toEqual([]);
    expect(a.getThread('r')).toEqual(dev.backend.thread('r'));
    expect(JSON.stringify(a.getThread('r'))).not.toContain('EVIL');
    expect(a.getPendingItems('r')).toEqual([]);
  });

  it('within the origin on every route: followed, the stream goes live, the write lands once', async () => {
    const moved = ['same-origin', 'same-origin'] as const;
    plan = { '/push': [...moved], '/pull': [...moved], '/events': [...moved], '/ping': [...moved] };
    const a = await client();
    a.watch('s');
    a.mutate('s', 'addMessage', msg('hi'));
    await a.flushPending({ timeoutMs: 5000 });
    await within(5000, () => a.getHealthStatus().state === 'live');
    await within(5000, () => a.getThread('s')?.v === dev.backend.thread('s')?.v);
    expect(dev.backend.thread('s')?.messages.map((m) => m.id)).toEqual(['hi']);
    expect(a.getThread('s')).toEqual(dev.backend.thread('s'));
    expect(a.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });
    // The first request of each route was redirected (and followed).
    for (const route of ['/push', '/pull', '/events']) expect(plan[route]!.length, route).toBeLessThan(2);
  });
});
