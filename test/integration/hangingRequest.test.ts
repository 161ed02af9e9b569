import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';

/**
 * A proxy in front of the dev server that, for one route, sends the headers and half the body of
 * the server's answer and then holds the rest until the test releases it, or cuts it off.
 */
type Held = { release(): void; cut(): void };
let holdRoute: string | null = null;
const held: Held[] = [];

let dev: DevServer;
let proxy: Server;
let baseUrl: string;
const clients: SyncClient[] = [];

beforeAll(async () => {
  dev = await createDevServer({ keepaliveMs: 100 });
  const target = new URL(dev.url);
  proxy = createServer((req, res) => {
    const route = new URL(req.url ?? '/', 'http://x').pathname;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (route !== holdRoute) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          return void answer.pipe(res);
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...answer.headers };
          delete headers['content-length'];
          res.writeHead(answer.statusCode ?? 502, headers);
          res.write(body.subarray(0, body.length >> 1));
          held.push({ release: () => res.end(body.subarray(body.length >> 1)), cut: () => res.destroy() });
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterEach(() => {
  holdRoute = null;
  for (const h of held.splice(0)) h.cut();
  for (const c of clients.splice(0)) c.dispose();
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await dev.close();
});

async function until(done: () => boolean, ms = 5000) {
  for (const end = Date.now() + ms; !done(); ) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** timeoutMs 0: nothing but staleAfterMs can tell that a request hangs. */
async function client() {
  const c = createSyncClient({
    connector: createHttpConnector({ baseUrl, timeoutMs: 0 }),
    storage: createMemoryStorage(),
    batch: { windowMs: 5 },
    retry: { baseMs: 20, maxMs: 200 },
    liveness: { staleAfterMs: 400 },
  });
  clients.push(c);
  c.start();
  await c.ready;
  await until(() => c.getHealthStatus().state === 'live');
  return c;
}

const message = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });
const applied = (threadId: string) => dev.backend.applied.filter((m) => m.threadId === threadId).length;

describe('a request whose body never ends, with timeoutMs: 0 (loopback)', () => {
  it('a push shows as server-errors after staleAfterMs and recovers when its answer completes', async () => {
    const c = await client();
    holdRoute = '/push';
    c.mutate('hang-push', 'addMessage', message('m1'));
    await until(() => held.length === 1);
    expect(c.getHealthStatus().degraded).toBe(false);
    await until(() => c.getHealthStatus().degraded);
    expect(c.getHealthStatus()).toMatchObject({ degradedReason: 'server-errors', state: 'live' });
    expect(c.getPendingItems()).toMatchObject([{ state: 'sending' }]);
    holdRoute = null;
    held[0]!.release();
    await until(() => c.getPendingItems().length === 0);
    await until(() => !c.getHealthStatus().degraded);
    expect(applied('hang-push')).toBe(1);
  });

  it('a push cut off while hanging is retried under the same seq: applied once, not lost', async () => {
    const c = await client();
    holdRoute = '/push';
    c.mutate('hang-cut', 'addMessage', message('m1'));
    await until(() => c.getHealthStatus().degraded);
    holdRoute = null;
    held[0]!.cut();
    await until(() => c.getPendingItems().length === 0);
    await until(() => !c.getHealthStatus().degraded);
    expect(applied('hang-cut')).toBe(1);
    expect(c.getThread('hang-cut')?.messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('a pull shows as server-errors after staleAfterMs and recovers when its answer completes', async () => {
    const c = await client();
    holdRoute = '/pull';
    c.watch('hang-pull');
    await until(() => held.length === 1);
    await until(() => c.getHealthStatus().degraded);
    expect(c.getHealthStatus()).toMatchObject({ degradedReason: 'server-errors' });
    holdRoute = null;
    held[0]!.release();
    await until(() => !c.getHealthStatus().degraded);
  });
});
