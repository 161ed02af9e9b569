import { createMemoryStorage, createSyncClient, systemClock } from 'syncline';
import { syncMetrics } from 'syncline/metrics';
import type { Clock, DegradedReason, Message, SyncClient, SyncClientOptions, SyncState } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment, createFullStorage } from 'syncline/testing';
import type { FakeBackend, FakeClock, FakeEnvironment, Faults } from 'syncline/testing';

/**
 * A real client over the in-memory fake backend, for one story. State stories run on a fake
 * clock that only the story moves, so what they show (and screenshot) never drifts; the Live
 * story runs on the real clock.
 */
export interface Scenario {
  client: SyncClient;
  backend: FakeBackend;
  clock: Clock;
  environment: FakeEnvironment;
  /** Moves the fake clock in steps, letting the client's promises settle in between. */
  advance(ms: number): Promise<void>;
  dispose(): void;
}

export interface ScenarioOptions {
  faults?: Faults;
  online?: boolean;
  /** @default 'fake' */
  clock?: 'fake' | 'real';
  /** The fake clock to run on, shared by scenarios that stand for two page loads. */
  fakeClock?: FakeClock;
  client?: Partial<SyncClientOptions>;
}

const live = new Set<Scenario>();

/** Tears down every scenario still running (after each story test; a safety net for leaks). */
export function disposeScenarios(): void {
  for (const scenario of [...live]) scenario.dispose();
}

/**
 * Made in a story's loader; preview.tsx disposes it when the story goes away (several stories
 * live at once on a docs page, each with its own scenario).
 */
export function createScenario(options: ScenarioOptions = {}): Scenario {
  const fake: FakeClock | null = options.clock === 'real' ? null : (options.fakeClock ?? createFakeClock());
  const clock: Clock = fake ?? systemClock;
  const environment = createFakeEnvironment(clock, { online: options.online ?? true });
  const backend = createFakeBackend({ clock, faults: options.faults });
  const client = createSyncClient({
    connector: backend.connector,
    clock,
    environment,
    // Stories start clean on every load: no IndexedDB outbox carried between them.
    storage: createMemoryStorage(),
    // Counted, so the inspector's stories show metrics (docs/metrics.md).
    metrics: syncMetrics(),
    ...options.client,
  });
  client.start();
  const scenario: Scenario = {
    client,
    backend,
    clock,
    environment,
    async advance(ms) {
      if (!fake) throw new Error('advance() needs a scenario on the fake clock.');
      for (let t = 0; t < ms; t += 100) await fake.advanceAsync(Math.min(100, ms - t));
    },
    dispose() {
      if (!live.delete(scenario)) return;
      client.dispose();
      backend.close();
    },
  };
  live.add(scenario);
  return scenario;
}

let nextMessage = 0;
export function userMessage(content: string): { message: Message } {
  nextMessage += 1;
  return { message: { id: `story-${nextMessage}`, role: 'user', content, createdAt: Date.now() } };
}

/** A write the server rejects (it edits a message the server does not have); its error quotes `messageId`. */
export function failingWrite(client: SyncClient, threadId: string, messageId = 'gone') {
  return client.mutate(threadId, 'editMessage', { messageId, content: 'edited' });
}

/** Each SyncState of thread `t1`, reached through the fake backend. */
export async function scenarioInState(state: SyncState): Promise<Scenario> {
  const s = createScenario();
  await s.advance(100);
  switch (state) {
    case 'unknown':
      break;
    case 'pending':
      // One push at a time: t1's write waits while a slow push for t2 is out.
      s.backend.setFaults({ latencyMs: 60_000 });
      s.client.mutate('t2', 'addMessage', userMessage('first'));
      await s.advance(100);
      s.client.mutate('t1', 'addMessage', userMessage('second'));
      break;
    case 'syncing':
      s.backend.setFaults({ latencyMs: 60_000 });
      s.client.mutate('t1', 'addMessage', userMessage('on its way'));
      await s.advance(200);
      break;
    case 'synced':
      s.client.mutate('t1', 'addMessage', userMessage('saved'));
      await s.advance(1000);
      break;
    case 'offline':
      s.backend.setFaults({ offline: true });
      s.environment.setOnline(false);
      s.client.mutate('t1', 'addMessage', userMessage('kept on this device'));
      await s.advance(100);
      break;
    case 'error':
      failingWrite(s.client, 't1');
      await s.advance(500);
      break;
  }
  return s;
}

/** What makes health degraded for each reason, on the fake backend. */
const degradedBy: Record<Exclude<DegradedReason, 'push-unavailable'>, ScenarioOptions> = {
  offline: { faults: { offline: true }, online: false },
  'server-errors': { faults: { errorRate: 1 } },
  'stream-unavailable': { faults: { stream: { refuse: true } } },
  stale: { faults: { stream: { stall: true } }, client: { liveness: { staleAfterMs: 1000 } } },
  // A real server refuses the stream too; the fake's errorRate hits push and pull only.
  auth: { faults: { errorRate: 1, errorStatus: 401, stream: { refuse: true } } },
  fenced: { faults: { errorRate: 1, errorStatus: 409 } },
  storage: { client: { storage: createFullStorage() } },
};

/**
 * Health degraded for `reason` for 8 s, or healthy for `null`. The banner dates an episode from
 * `health.stateEnteredAt`, and some reasons see the state move (connecting -> live) while they
 * hold, so 8 s leaves every state settled for well over the banner's 1.5 s.
 */
export async function scenarioDegraded(reason: Exclude<DegradedReason, 'push-unavailable'> | null): Promise<Scenario> {
  const s = createScenario(reason === null ? {} : degradedBy[reason]);
  s.client.mutate('t1', 'addMessage', userMessage('hello'));
  await s.advance(8000);
  return s;
}

/** How many threads the browser's IndexedDB copy of `namespace` holds (docs/local-copy.md). */
function copiedThreads(namespace: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(`syncline-copy-${namespace}`);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('threads')) {
        db.close();
        resolve(0);
        return;
      }
      const count = db.transaction('threads').objectStore('threads').count();
      count.onerror = () => reject(count.error);
      count.onsuccess = () => {
        db.close();
        resolve(count.result);
      };
    };
  });
}

let nextCopy = 0;

/**
 * A reload without a network, `minutesAgo` after the last sync: thread `t1` is on screen from
 * the local copy (a namespace of its own in the browser's IndexedDB) and the server has not
 * answered yet.
 */
export async function scenarioFromCopy(minutesAgo: number): Promise<Scenario> {
  nextCopy += 1;
  const namespace = `story-copy-${Date.now()}-${nextCopy}`;
  const fake = createFakeClock();
  const client = { namespace, cache: true, tabs: 'alone' as const };
  const first = createScenario({ fakeClock: fake, client });
  first.client.watch('t1');
  first.client.mutate('t1', 'addMessage', userMessage('kept on this device'));
  await first.advance(1500);
  first.dispose();
  for (let i = 0; (await copiedThreads(namespace)) === 0; i++) {
    if (i > 100) throw new Error('The local copy was never written.');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await fake.advanceAsync(minutesAgo * 60_000);
  const reload = createScenario({ fakeClock: fake, faults: { offline: true }, online: false, client });
  reload.client.watch('t1');
  // The copy is read from the browser's IndexedDB on real time: wait for it, not for fake time.
  await reload.client.ready;
  await reload.advance(100);
  return reload;
}
