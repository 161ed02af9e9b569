import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from 'syncline';
import { startOutageServer, type OutageServer } from './outageServer';
import { within } from './within';

// A proxy answering 502/503 on every route for a while, over real HTTP on loopback, the client
// on its default retry policy (docs/liveness.md "Recovery"). Real time, bounded, with margins a
// loaded 2-core machine keeps: the budgets themselves (2.5 s / 3.5 s at p95) are measured by
// `npm run bench` (bench/recovery5xx.ts), not here.
const OUTAGE_MS = 6000;
/** Without the probe, a 5xx was left to the writes' backoff: up to 30 s after a 6 s outage. */
const BACK_WITHIN_MS = 12_000;

let server: OutageServer;
let client: SyncClient;
afterEach(async () => {
  client.dispose();
  await server.close();
});

const msg = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });

describe('recovery after a 5xx outage, over loopback HTTP', () => {
  it.each([
    ['503 without Retry-After', { status: 503 }],
    ['502 with Retry-After: 1', { status: 502, retryAfterSeconds: 1 }],
  ])('%s: the write is acknowledged and the stream live again soon after the server is back', async (_name, refusal) => {
    server = await startOutageServer();
    client = createSyncClient({ connector: createHttpConnector({ baseUrl: server.url }), storage: createMemoryStorage() });
    client.start();
    await client.ready;
    client.watch('t1');
    await within(10_000, () => client.getHealthStatus().state === 'live');

    server.refuse(refusal);
    const write = client.mutate('t1', 'addMessage', msg('during'));
    await within(10_000, () => client.getHealthStatus().degraded);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    expect(client.getPendingItems()).toHaveLength(1);
    expect(client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'server-errors' });
    // The probe runs during the outage (a few a second at most, not one per millisecond).
    expect(server.requests.ping).toBeGreaterThanOrEqual(2);
    expect(server.requests.ping).toBeLessThanOrEqual(OUTAGE_MS / 250 + 5);

    server.refuse(null);
    await within(BACK_WITHIN_MS, () => client.getPendingItems().length === 0);
    await expect(write.settled).resolves.toBeUndefined();
    await within(BACK_WITHIN_MS, () => client.getHealthStatus().state === 'live' && !client.getHealthStatus().degraded);
    expect(client.getThread('t1')?.messages.map((m) => m.id)).toEqual(['during']);
  }, 60_000);
});
