import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';
import { startForeignServer, type ForeignServer } from './foreignServer.js';
import type { Answer, Route } from './hostileAnswers.js';
import { startHostileServer, type HostileServer } from './hostileServer.js';

// Cases the hostile-server fuzz suite (test/integration/fuzz.test.ts) found, pinned as plain tests.

let dev: DevServer;
let foreign: ForeignServer;
let hostile: HostileServer;
let client: SyncClient | undefined;

beforeAll(async () => {
  dev = await createDevServer({ keepaliveMs: 300 });
  foreign = await startForeignServer();
  hostile = await startHostileServer({ upstream: dev.url, foreign: foreign.url });
});
afterEach(() => client?.dispose());
afterAll(async () => {
  await hostile.close();
  await foreign.close();
  await dev.close();
});

async function until(done: () => boolean, ms = 10_000) {
  for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
}

it('one pull answered 503 while the stream is live: retried, and health is healthy again', async () => {
  client = createSyncClient({
    connector: createHttpConnector({ baseUrl: hostile.url }),
    storage: createMemoryStorage(),
    retry: { baseMs: 10, maxMs: 100 },
  });
  client.start();
  client.watch('r-503');
  const c = client;
  await until(() => c.getHealthStatus().state === 'live' && !c.getHealthStatus().degraded);
  expect(c.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });

  const pulls: string[] = [];
  const unavailable: Answer = { kind: 'status', status: 503, contentType: 'application/json', body: 'json-error', retryAfter: '86400', forward: false };
  hostile.setScript((route: Route) => {
    if (route !== 'pull') return undefined;
    pulls.push(pulls.length === 0 ? '503' : 'ok');
    return pulls.length === 1 ? unavailable : undefined;
  });
  await expect(c.syncImmediately('r-503')).rejects.toMatchObject({ kind: 'http', status: 503 });
  expect(c.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'server-errors' });

  await until(() => !c.getHealthStatus().degraded);
  expect(pulls).toEqual(['503', 'ok']);
  expect(c.getHealthStatus()).toMatchObject({ state: 'live', degraded: false, degradedReason: null });
  hostile.setScript(() => undefined);
});

it('a write failed by a 413 still says it is not retried by itself after a reload', async () => {
  const storage = createMemoryStorage();
  const options = {
    connector: createHttpConnector({ baseUrl: hostile.url }),
    storage,
    namespace: 'r-413',
    batch: { windowMs: 1 },
    retry: { baseMs: 10, maxMs: 100 },
  };
  const tooLarge: Answer = { kind: 'status', status: 413, contentType: 'application/json', body: 'json-error', retryAfter: null, forward: false };
  hostile.setScript((route: Route) => (route === 'push' ? tooLarge : undefined));
  const first = createSyncClient(options);
  client = first;
  first.start();
  const write = first.mutate('r-413', 'addMessage', { message: { id: 'm', role: 'user', content: 'x', createdAt: 1 } });
  await expect(write.settled).rejects.toMatchObject({ kind: 'http', status: 413, retryable: false });
  first.dispose();
  hostile.setScript(() => undefined);

  const second = createSyncClient(options);
  client = second;
  second.start();
  await second.ready;
  expect(second.getPendingItems()).toMatchObject([{ id: write.id, state: 'failed', lastError: { kind: 'http', status: 413, retryable: false } }]);
});
