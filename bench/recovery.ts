/**
 * Recovery after an outage (The budgets of README "Bench"; docs/liveness.md "Recovery"): the real client,
 * default options, against the fake backend whose `offline` fault refuses every request and
 * drops every stream, all on one fake clock. Every wait in the client is a timer, so fake time
 * gives the same figures as real time would, with no network variance and a 60 s outage taking
 * milliseconds. Figures are fake-clock milliseconds.
 */
import { createMemoryStorage, createSyncClient, type SyncClient } from '../src/index.js';
import { createFakeBackend } from '../src/testing/fakeBackend.js';
import { createFakeClock, type FakeClock } from '../src/testing/fakeClock.js';
import { createFakeEnvironment } from '../src/testing/fakeEnvironment.js';

export interface RecoveryTrial {
  /** From the server coming back to every write made during the outage acknowledged. */
  ackedMs: number;
  /** From the server coming back to health `live` again (a stream open and framing). */
  liveMs: number;
  /** `/ping` probes per minute of outage. */
  probesPerMinute: number;
}

const message = (id: string) => ({ message: { id, role: 'user' as const, content: id, createdAt: 1 } });

/** Advances in steps of `stepMs` until `done()`; returns the fake time it took. */
async function timeUntil(clock: FakeClock, done: () => boolean, stepMs = 10, maxMs = 120_000): Promise<number> {
  const from = clock.now();
  while (!done()) {
    if (clock.now() - from > maxMs) throw new Error('the client did not recover within two minutes');
    await clock.advanceAsync(stepMs);
  }
  return clock.now() - from;
}

/** One outage of `outageMs` with a write queued at its start. */
export async function recoveryTrial(outageMs: number, seed: number): Promise<RecoveryTrial> {
  const clock = createFakeClock({ now: 0, seed });
  const environment = createFakeEnvironment(clock);
  const fake = createFakeBackend({ clock });
  const client: SyncClient = createSyncClient({ connector: fake.connector, clock, environment, storage: createMemoryStorage() });
  client.start();
  await client.ready;
  client.watch('t1');
  await timeUntil(clock, () => client.getHealthStatus().state === 'live');
  // Outages start at any moment relative to the client's timers.
  await clock.advanceAsync(Math.floor(clock.random() * 3000));

  fake.setFaults({ offline: true });
  client.mutate('t1', 'addMessage', message('during'));
  const pings = fake.stats().requests.ping;
  await clock.advanceAsync(outageMs);
  const probes = fake.stats().requests.ping - pings;

  fake.setFaults({});
  const back = clock.now();
  let ackedMs = -1;
  let liveMs = -1;
  await timeUntil(clock, () => {
    if (ackedMs < 0 && client.getPendingItems().length === 0) ackedMs = clock.now() - back;
    if (liveMs < 0 && client.getHealthStatus().state === 'live') liveMs = clock.now() - back;
    return ackedMs >= 0 && liveMs >= 0;
  });
  client.dispose();
  fake.close();
  return { ackedMs, liveMs, probesPerMinute: (probes * 60_000) / outageMs };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface RecoverySummary {
  outageMs: number;
  trials: number;
  acked: { p50: number; p95: number };
  live: { p50: number; p95: number };
  probesPerMinute: number;
}

/** `trials` outages of `outageMs`, each with its own seed. */
export async function recoveryAfterOutage(outageMs: number, trials = 40): Promise<RecoverySummary> {
  const runs: RecoveryTrial[] = [];
  for (let seed = 1; seed <= trials; seed++) runs.push(await recoveryTrial(outageMs, seed));
  const acked = runs.map((r) => r.ackedMs);
  const live = runs.map((r) => r.liveMs);
  return {
    outageMs,
    trials,
    acked: { p50: percentile(acked, 50), p95: percentile(acked, 95) },
    live: { p50: percentile(live, 50), p95: percentile(live, 95) },
    probesPerMinute: runs.reduce((sum, r) => sum + r.probesPerMinute, 0) / runs.length,
  };
}
