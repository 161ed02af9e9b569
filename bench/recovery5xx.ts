/**
 * Recovery after a 5xx outage over real HTTP on loopback (docs/liveness.md "Recovery"): the
 * protocol server behind a front that answers every route 502/503 for the outage, as a proxy in
 * front of a server being deployed does (test/integration/outageServer.ts), and real clients on
 * their default options (HTTP connector, default retry policy). Outages last real time, so each
 * (outage length, kind of refusal) runs at once on its own server with `clients` clients, every
 * client one trial: one ~70 s run gives the whole distribution. Figures are real milliseconds
 * from the server's return to each client's write acknowledged and its stream live again.
 */
import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient } from '../src/index.js';
import { startOutageServer } from '../test/integration/outageServer.js';
import type { Refusal } from './refusals.js';
import { percentile } from './recovery.js';

export interface Recovery5xxCase {
  outageMs: number;
  refusal: Refusal;
}

export interface Recovery5xxSummary extends Recovery5xxCase {
  clients: number;
  acked: { p50: number; p95: number };
  live: { p50: number; p95: number };
  /** Probes the server saw per client per minute of outage. */
  probesPerClientMinute: number;
}

const message = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `done()` holds, checked every 20 ms; rejects after `maxMs`. */
async function waitFor(done: () => boolean, maxMs: number, what: string): Promise<void> {
  const from = Date.now();
  while (!done()) {
    if (Date.now() - from > maxMs) throw new Error(`${what} not within ${maxMs} ms`);
    await sleep(20);
  }
}

async function runCase({ outageMs, refusal }: Recovery5xxCase, count: number): Promise<Recovery5xxSummary> {
  const server = await startOutageServer();
  const clients: SyncClient[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const client = createSyncClient({ connector: createHttpConnector({ baseUrl: server.url }), storage: createMemoryStorage() });
      client.start();
      clients.push(client);
      client.watch(`t${i}`);
    }
    await Promise.all(clients.map((c) => c.ready));
    await waitFor(() => clients.every((c) => c.getHealthStatus().state === 'live'), 30_000, 'every stream live');

    server.refuse(refusal);
    clients.forEach((c, i) => c.mutate(`t${i}`, 'addMessage', message(`m${i}`)));
    const pings = server.requests.ping;
    await sleep(outageMs);
    const probes = server.requests.ping - pings;

    server.refuse(null);
    const back = Date.now();
    const acked = clients.map(() => -1);
    const live = clients.map(() => -1);
    await waitFor(
      () => {
        const now = Date.now() - back;
        clients.forEach((c, i) => {
          if (acked[i]! < 0 && c.getPendingItems().length === 0) acked[i] = now;
          const h = c.getHealthStatus();
          if (live[i]! < 0 && h.state === 'live' && !h.degraded) live[i] = now;
        });
        return !acked.includes(-1) && !live.includes(-1);
      },
      60_000,
      'every client back',
    );
    return {
      outageMs,
      refusal,
      clients: count,
      acked: { p50: percentile(acked, 50), p95: percentile(acked, 95) },
      live: { p50: percentile(live, 50), p95: percentile(live, 95) },
      probesPerClientMinute: (probes * 60_000) / outageMs / count,
    };
  } finally {
    for (const c of clients) c.dispose();
    await server.close();
  }
}

/** Every case at once, each on its own server with `clients` clients (each client one trial). */
export function recoveryAfter5xxOutages(cases: Recovery5xxCase[], clients = 25): Promise<Recovery5xxSummary[]> {
  return Promise.all(cases.map((c) => runCase(c, clients)));
}
