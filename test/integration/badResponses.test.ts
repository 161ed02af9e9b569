import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient, type SyncError } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';

// A proxy in front of the dev server that corrupts the answer to the next push AFTER the server
// applied it: the worst case, since the client cannot know whether its writes landed.
type Corruption = (body: string) => { status: number; type: string; body: string };
const CORRUPTIONS: Record<string, Corruption> = {
  'an HTML page with 200': () => ({ status: 200, type: 'text/html', body: '<html><body>Bad gateway</body></html>' }),
  'truncated JSON': (body) => ({ status: 200, type: 'application/json', body: body.slice(0, body.length / 2) }),
  'a wrong shape': () => ({ status: 200, type: 'application/json', body: JSON.stringify({ ok: true }) }),
  'results for other seqs': () => ({
    status: 200,
    type: 'application/json',
    body: JSON.stringify({ lastSeq: 999, results: [{ seq: 999, status: 'applied', v: 1 }] }),
  }),
  'a 502 from a proxy': () => ({ status: 502, type: 'text/html', body: '<h1>502</h1>' }),
};

let dev: DevServer;
let proxy: Server;
let proxyUrl: string;
let corruptNext: Corruption | null = null;
const clients: SyncClient[] = [];

beforeAll(async () => {
  dev = await createDevServer();
  const target = new URL(dev.url);
  proxy = createServer((req, res) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const corrupt = req.url?.startsWith('/push') ? corruptNext : null;
          if (corrupt) corruptNext = null;
          const out = corrupt ? corrupt(body) : { status: answer.statusCode ?? 500, type: String(answer.headers['content-type'] ?? ''), body };
          res.writeHead(out.status, { 'content-type': out.type });
          res.end(out.body);
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await dev.close();
});

describe('a push answered with a body that is not protocol v1', () => {
  it.each(Object.keys(CORRUPTIONS))('%s: typed error, store and outbox intact, then exactly once', async (kind) => {
    const errors: SyncError[] = [];
    const client = createSyncClient({
      connector: createHttpConnector({ baseUrl: proxyUrl, timeoutMs: 2000 }),
      storage: createMemoryStorage(),
      batch: { windowMs: 5 },
      // A long first backoff holds the client in the failed state while the test looks at it.
      retry: { baseMs: 60_000, maxMs: 60_000 },
      onDegraded: (h) => errors.push(h as unknown as SyncError),
    });
    clients.push(client);
    client.start();
    await client.ready;
    const threadId = `bad-${kind}`;
    client.watch(threadId);
    corruptNext = CORRUPTIONS[kind]!;
    const w = client.mutate(threadId, 'addMessage', { message: { id: 'm1', role: 'user', content: 'hi', createdAt: 1 } });
    const viewBefore = client.getThread(threadId);

    for (let i = 0; i < 200 && client.getHealthStatus().degradedReason !== 'server-errors'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'server-errors' });
    expect(errors).toHaveLength(1);
    // The write is still queued (outcome unknown), shown, and nothing else changed.
    const expectedKind = kind.includes('502') ? { kind: 'http', status: 502, retryable: true } : { kind: 'protocol', retryable: true };
    expect(client.getPendingItems(threadId)).toMatchObject([{ id: w.id, state: 'queued', attempts: 1, lastError: expectedKind }]);
    expect(client.getThread(threadId)).toBe(viewBefore);
    expect(dev.backend.applied.filter((m) => m.threadId === threadId)).toHaveLength(1);

    // Retried now: the server answers `duplicate` and nothing is applied twice.
    await client.syncImmediately(threadId);
    const flushed = client.flushPending({ timeoutMs: 5000 });
    // Skip the long backoff: a fresh client over the same storage would do the same.
    client.stop();
    client.start();
    expect(await flushed).toBe(1);
    expect(dev.backend.applied.filter((m) => m.threadId === threadId)).toHaveLength(1);
    expect(client.getThread(threadId)?.messages.map((m) => m.id)).toEqual(['m1']);
  });
});
