/**
 * What an outage does to the server when it comes back: `clients` real sync clients (default
 * options, each with a write queued during the outage) on one fake backend and one fake clock.
 * The backend refuses every connection for `outageMs` (or, with `refusal`, a proxy in front of it
 * answers every route 502/503: bench/refusals.ts), then accepts again. Every wait in the client is
 * a timer, so the fake clock runs the same recovery code as real time would, and the result
 * depends only on that code and the seed.
 */
import { createMemoryStorage, createSyncClient, type SyncClient } from '../src/index.js';
import type { StreamOptions } from '../src/protocol/wire.js';
import { createFakeBackend } from '../src/testing/fakeBackend.js';
import { createFakeClock } from '../src/testing/fakeClock.js';
import { createFakeEnvironment } from '../src/testing/fakeEnvironment.js';
import { refusingConnector, type Refusal } from './refusals.js';

export interface ReconnectStormOptions {
  /** @default 1000 */
  clients?: number;
  /** @default 30000 */
  outageMs?: number;
  /** @default 1 */
  seed?: number;
  /** A 5xx outage instead of refused connections. @default undefined (connections refused) */
  refusal?: Refusal;
}

export interface ReconnectStormResult {
  clients: number;
  /**
   * Streams reopened in each second after recovery (the first one per client): index 0 is
   * [recovery, recovery + 1 s). It ends with the second of the last one.
   */
  perSecond: number[];
  /** The busiest second after recovery. */
  busiest: number;
  /** busiest / clients: the budget is ≤ 0.5 (no second carries more than half of them). */
  busiestShare: number;
  /** When the last client had its stream back, in ms after recovery. */
  lastReconnectMs: number;
  /** When the last client had its write acknowledged, in ms after recovery. */
  lastAckMs: number;
  /** `/ping` probes per client per minute of outage. */
  probesPerClientMinute: number;
}

const message = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });

export async function simulateReconnectStorm(options: ReconnectStormOptions = {}): Promise<ReconnectStormResult> {
  const count = options.clients ?? 1000;
  const outageMs = options.outageMs ?? 30_000;
  const clock = createFakeClock({ now: 0, seed: options.seed ?? 1 });
  const fake = createFakeBackend({ clock });
  const proxy = refusingConnector(fake.connector, clock);
  const outage = (on: boolean) =>
    options.refusal ? proxy.refuse(on ? options.refusal : null) : fake.setFaults(on ? { offline: true } : {});
  let recoveredAt = Infinity;
  const reopenedAt: number[] = new Array(count).fill(-1);
  const ackedAt: number[] = new Array(count).fill(-1);

  const clients: SyncClient[] = [];
  for (let i = 0; i < count; i++) {
    // The server's view of the storm: when each client's stream is open again.
    const connector = {
      ...proxy.connector,
      openStream: (stream: StreamOptions) =>
        proxy.connector.openStream!({
          ...stream,
          onOpen() {
            if (clock.now() >= recoveredAt && reopenedAt[i]! < 0) reopenedAt[i] = clock.now();
            stream.onOpen();
          },
        }),
    };
    const client = createSyncClient({ connector, clock, environment: createFakeEnvironment(clock), storage: createMemoryStorage() });
    client.start();
    clients.push(client);
  }
  await Promise.all(clients.map((c) => c.ready));
  await clock.advanceAsync(5000); // every stream open and live

  outage(true);
  clients.forEach((client, i) => {
    const write = client.mutate(`t${i}`, 'addMessage', message(`m${i}`));
    write.settled.then(() => (ackedAt[i] = clock.now())).catch(() => {});
  });
  const pings = proxy.requests.ping;
  await clock.advanceAsync(outageMs);
  const probes = proxy.requests.ping - pings;

  outage(false);
  recoveredAt = clock.now();
  for (let t = 0; t < 120_000 && (reopenedAt.includes(-1) || ackedAt.includes(-1)); t += 100) await clock.advanceAsync(100);
  for (const client of clients) client.dispose();
  fake.close();
  if (reopenedAt.includes(-1) || ackedAt.includes(-1)) throw new Error('some clients never came back');

  const last = Math.max(...reopenedAt);
  const perSecond: number[] = new Array(Math.floor((last - recoveredAt) / 1000) + 1).fill(0);
  for (const t of reopenedAt) perSecond[Math.floor((t - recoveredAt) / 1000)]! += 1;
  const busiest = Math.max(...perSecond);
  return {
    clients: count,
    perSecond,
    busiest,
    busiestShare: busiest / count,
    lastReconnectMs: last - recoveredAt,
    lastAckMs: Math.max(...ackedAt) - recoveredAt,
    probesPerClientMinute: (probes * 60_000) / outageMs / count,
  };
}
