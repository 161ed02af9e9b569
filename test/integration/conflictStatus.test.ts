import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpConnector, createMemoryStorage, createSyncClient, type DegradedReason, type SyncClient } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';

/**
 * A proxy in front of the dev server that answers the next requests of one route 409, or cuts
 * them off: 409 means fencing on a push only (docs/outbox.md); anywhere else it is a server error.
 */
type Route = '/push' | '/pull' | '/events' | '/ping';
const conflicts = new Map<Route, number>();
const drops = new Map<Route, number>();
const seen: Record<Route, number> = { '/push': 0, '/pull': 0, '/events': 0, '/ping': 0 };
const take = (rules: Map<Route, number>, route: Route) => {
  const left = rules.get(route) ?? 0;
  if (left > 0) rules.set(route, left - 1);
  return left > 0;
};

let dev: DevServer;
let proxy: Server;
let baseUrl: string;
const clients: SyncClient[] = [];

beforeAll(async () => {
  dev = await createDevServer({ keepaliveMs: 200 }); // streams go live within 200 ms
  const target = new URL(dev.url);
  proxy = createServer((req, res) => {
    const route = new URL(req.url ?? '/', 'http://x').pathname as Route;
    if (route in seen) seen[route] += 1;
    if (take(drops, route)) return void req.socket.destroy();
    if (take(conflicts, route)) {
      res.writeHead(409, { 'content-type': 'application/json' });
      return void res.end('{"error":"conflict"}');
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
  conflicts.clear();
  drops.clear();
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await dev.close();
});

/** A client on the real HTTP connector with short backoffs, and every degraded reason it showed. */
async function client() {
  const c = createSyncClient({
    connector: createHttpConnector({ baseUrl, timeoutMs: 2000 }),
    storage: createMemoryStorage(),
    batch: { windowMs: 5 },
    retry: { baseMs: 20, maxMs: 200 },
  });
  clients.push(c);
  const reasons = new Set<DegradedReason | null>();
  c.store.subscribe((s) => reasons.add(s.health.degradedReason));
  c.start();
  await c.ready;
  return { c, reasons };
}

async function until(done: () => boolean, ms = 5000) {
  for (const end = Date.now() + ms; !done(); ) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const message = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });

describe('409 on a route other than /push is a server error, retried (loopback)', () => {
  it('/pull: never fenced, retried, writes still sent', async () => {
    const { c, reasons } = await client();
    conflicts.set('/pull', 3);
    c.watch('pull-409');
    await until(() => (conflicts.get('/pull') ?? 0) === 0);
    c.mutate('pull-409', 'addMessage', message('m1'));
    await until(() => c.getPendingItems().length === 0 && c.getThread('pull-409')?.v === 1);
    await until(() => !c.getHealthStatus().degraded);
    expect(reasons.has('server-errors')).toBe(true);
    expect(reasons.has('fenced')).toBe(false);
    c.mutate('pull-409', 'addMessage', message('m2')); // mutate does not throw
  });

  it('/events: never fenced, and the stream is reopened until it is live', async () => {
    conflicts.set('/events', 2);
    const before = seen['/events'];
    const { c, reasons } = await client();
    await until(() => c.getHealthStatus().state === 'live');
    expect(seen['/events'] - before).toBeGreaterThanOrEqual(3);
    expect(reasons.has('fenced')).toBe(false);
    c.mutate('events-409', 'addMessage', message('m1'));
    await until(() => c.getPendingItems().length === 0);
  });

  it('/ping: never fenced; the probe after a cut-off push keeps going and the write lands', async () => {
    const { c, reasons } = await client();
    drops.set('/push', 1);
    conflicts.set('/ping', 2);
    const before = seen['/ping'];
    c.mutate('ping-409', 'addMessage', message('m1'));
    await until(() => c.getPendingItems().length === 0);
    await until(() => !c.getHealthStatus().degraded);
    expect(seen['/ping'] - before).toBeGreaterThanOrEqual(1);
    expect(reasons.has('fenced')).toBe(false);
  });

  it('/push: fenced, the outbox stops, and stop()/start() keep saying so', async () => {
    const { c, reasons } = await client();
    conflicts.set('/push', 1);
    c.mutate('push-409', 'addMessage', message('m1'));
    await until(() => c.getHealthStatus().degradedReason === 'fenced');
    c.stop();
    c.start();
    await until(() => c.getHealthStatus().state === 'live');
    expect(c.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'fenced' });
    expect(() => c.mutate('push-409', 'addMessage', message('m2'))).toThrow(/took over/);
    expect(c.getPendingItems()).toHaveLength(1);
    expect(reasons.has('fenced')).toBe(true);
  });
});
