import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';

// Issue 9 item 7: a stream that opens, sends one keepalive and closes must not be reopened in a
// tight loop. Real HTTP on loopback, a bounded stretch of real time; the count of streams opened
// is what is asserted.
let server: Server;
let url: string;
const opened: number[] = [];
let pulls = 0;
let client: SyncClient | undefined;

beforeEach(async () => {
  opened.length = 0;
  pulls = 0;
  server = createServer((req, res) => {
    if (req.url?.startsWith('/events')) {
      opened.push(Date.now());
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(': ka\n\n');
      return;
    }
    if (req.url === '/ping') {
      res.writeHead(204);
      res.end();
      return;
    }
    req.resume();
    req.on('end', () => {
      pulls += req.url === '/pull' ? 1 : 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ cursor: 'c1', threads: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  client?.dispose();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

it('a stream that sends one keepalive and closes is reopened with a growing backoff, not in a loop', async () => {
  client = createSyncClient({
    connector: createHttpConnector({ baseUrl: url, timeoutMs: 2000 }),
    storage: createMemoryStorage(),
    retry: { baseMs: 50, maxMs: 1000 },
    liveness: { staleAfterMs: 5000 },
  });
  client.watch('t1');
  client.start();
  await new Promise((r) => setTimeout(r, 3000));
  // With the backoff reset by each first keepalive, every reopen waited under 50 ms: over a
  // hundred streams in 3 s. Growing (25, 50, 100 … ms on average, capped at 1 s): about ten.
  expect(opened.length).toBeGreaterThan(3);
  expect(opened.length).toBeLessThanOrEqual(15);
  // Each reconnect pulls once at most: the pulls are bounded alike.
  expect(pulls).toBeLessThanOrEqual(2 * opened.length + 2);
});
