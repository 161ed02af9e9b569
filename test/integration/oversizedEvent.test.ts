import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';
import { within } from './within';

// Issue 9 item 10: an event larger than the stream's limit is skipped as it arrives, the thread it
// carried is pulled instead, and the stream stays up. Real HTTP and SSE on loopback, bounded waits.
let server: DevServer;
const clients: SyncClient[] = [];

beforeEach(async () => {
  server = await createDevServer({ keepaliveMs: 300 });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  await server.close();
});

async function client(maxEventBytes?: number) {
  const c = createSyncClient({
    connector: createHttpConnector({ baseUrl: server.url, timeoutMs: 10_000, maxEventBytes }),
    storage: createMemoryStorage(),
    liveness: { staleAfterMs: 3000 },
    retry: { baseMs: 50, maxMs: 500 },
    // Slow polling: whatever arrives quickly came from the pull the skipped event asked for.
    poll: { activeMs: 60_000, idleMs: 60_000 },
    batch: { windowMs: 5 },
  });
  clients.push(c);
  c.start();
  await c.ready;
  return c;
}

const message = (id: string, content: string) => ({ message: { id, role: 'assistant' as const, content, createdAt: 1 } });

describe('an event over the stream limit, over loopback', () => {
  it.each([
    ['a configured 256 KiB limit and a 1 MiB thread', 256 * 1024, 1024 * 1024],
    ['the default 8 MiB limit and a 9 MiB thread', undefined, 9 * 1024 * 1024],
  ])('%s: skipped, the thread converges by a pull, the stream stays live', async (_name, limit, size) => {
    const a = await client(limit);
    a.watch('big');
    await within(5000, () => a.getHealthStatus().state === 'live');
    server.backend.serverWrite('big', 'addMessage', message('m1', 'hello'));
    await within(5000, () => a.getThread('big')?.messages.length === 1);
    const eventsBefore = server.stats().requests.events;
    const pullsBefore = server.stats().requests.pull;

    server.backend.serverWrite('big', 'addMessage', message('m2', 'x'.repeat(size)));
    await within(10_000, () => a.getThread('big')?.messages.length === 2);
    expect(a.getThread('big')).toEqual(server.backend.thread('big'));
    expect(server.stats().requests.pull).toBeGreaterThan(pullsBefore);

    // The stream went on: the next small change arrives over it, no reconnect loop.
    server.backend.serverWrite('big', 'addMessage', message('m3', 'after'));
    await within(5000, () => a.getThread('big')?.messages.length === 3);
    expect(a.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });
    expect(server.stats().requests.events - eventsBefore).toBeLessThanOrEqual(1);
  });
});
