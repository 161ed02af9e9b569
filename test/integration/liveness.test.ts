import { createHttpConnector, createMemoryStorage, createSyncClient, type HealthStatus, type SyncClient, type SyncClientOptions } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';
import { within } from './within';

// Real HTTP and SSE on loopback, real time: bounded waits only.
const STALE_AFTER_MS = 1500;
let server: DevServer;
const clients: SyncClient[] = [];

beforeEach(async () => {
  server = await createDevServer({ keepaliveMs: 300 });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  await server.close();
});

async function client(extra: Partial<SyncClientOptions> = {}) {
  const c = createSyncClient({
    connector: createHttpConnector({ baseUrl: server.url, timeoutMs: 1000 }),
    storage: createMemoryStorage(),
    liveness: { staleAfterMs: STALE_AFTER_MS },
    retry: { baseMs: 50, maxMs: 500 },
    poll: { activeMs: 200, idleMs: 400 },
    batch: { windowMs: 5 },
    ...extra,
  });
  clients.push(c);
  c.start();
  await c.ready;
  return c;
}

const msg = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });

describe('liveness over loopback against the dev server', () => {
  it('stalled stream → stale within staleAfterMs + 1 s → polling carries changes → live, recovered once', async () => {
    const degraded: HealthStatus[] = [];
    const recovered: HealthStatus[] = [];
    const a = await client({ onDegraded: (h) => degraded.push(h), onRecovered: (h) => recovered.push(h) });
    a.watch('live');
    await within(5000, () => a.getHealthStatus().state === 'live');

    server.setFaults({ stream: { stall: true } });
    await within(STALE_AFTER_MS + 1000, () => a.getHealthStatus().degraded);
    expect(a.getHealthStatus()).toMatchObject({ degradedReason: 'stale', transport: 'polling' });

    const b = await client();
    b.mutate('live', 'addMessage', msg('while-stalled'));
    await within(5000, () => a.getThread('live')?.messages.length === 1);

    server.setFaults({});
    await within(5000, () => a.getHealthStatus().state === 'live');
    b.mutate('live', 'addMessage', msg('after'));
    await within(5000, () => a.getThread('live')?.messages.length === 2);
    expect(degraded.map((h) => h.degradedReason)).toEqual(['stale']);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ state: 'live', degraded: false });
  });

  it('refused stream → stream-unavailable, and polling carries everything', async () => {
    server.setFaults({ stream: { refuse: true } });
    const a = await client();
    a.watch('refused');
    await within(3000, () => a.getHealthStatus().degradedReason === 'stream-unavailable');
    const b = await client();
    for (let i = 0; i < 20; i++) b.mutate('refused', 'addMessage', msg(`m${i}`));
    await b.flushPending();
    await within(5000, () => a.getThread('refused')?.messages.length === 20);
    expect(a.getThread('refused')).toEqual(server.backend.thread('refused'));
    expect(a.getHealthStatus()).toMatchObject({ state: 'polling', transport: 'polling', degraded: true });
  });

  it('streams an assistant reply token by token into the view', async () => {
    const a = await client();
    a.watch('reply');
    await within(5000, () => a.getHealthStatus().state === 'live');
    a.mutate('reply', 'addMessage', msg('question'));
    await a.flushPending();
    server.reply('reply', { tokens: 200, intervalMs: 1 });
    await within(10_000, () => a.getThread('reply')?.messages[1]?.status === 'done');
    expect(a.getThread('reply')).toEqual(server.backend.thread('reply'));
  });
});
