import {
  createMemoryStorage,
  createSyncClient,
  type BaseMessage,
  type Message,
  type MutatorDefs,
  type NoMutators,
  type OutboxStorage,
  type SyncClient,
  type SyncClientOptions,
  type SyncConnector,
} from 'syncline';
import {
  createFakeBackend,
  createFakeClock,
  createFakeEnvironment,
  type FakeBackend,
  type FakeBackendOptions,
  type FakeClock,
  type FakeEnvironment,
} from 'syncline/testing';

export interface Rig<M extends BaseMessage = Message, D extends MutatorDefs<M> = NoMutators> {
  clock: FakeClock;
  env: FakeEnvironment;
  fake: FakeBackend<M>;
  storage: OutboxStorage;
  client: SyncClient<M, D>;
  /** Net watches per thread, counted around the real `client.watch`. */
  watches: Map<string, number>;
  /** Pull requests the client's connector saw, as the thread ids each one asked for. */
  pulls: string[][];
  /** Another client over the same backend, clock and environment (none of the first's options). */
  another(options?: Partial<SyncClientOptions<M, D>>): SyncClient<M, D>;
  /** Advances fake time in steps until `done()` holds (bounded). */
  until(done: () => boolean, maxMs?: number): Promise<void>;
  /** Disposes every client of the rig and closes the backend. */
  dispose(): void;
}

export interface RigOptions<M extends BaseMessage = Message> {
  /** The backend's options (it shares the rig's clock). */
  backend?: Omit<FakeBackendOptions<M>, 'clock'>;
  /** Whether the fake page starts online. @default true */
  online?: boolean;
}

/**
 * The one test rig: a real client over the in-memory reference backend, on a fake clock and a
 * fake page, not started (the React tests' `SyncProvider` starts it; `rig()` starts it at once).
 */
export function createRig<M extends BaseMessage = Message, D extends MutatorDefs<M> = NoMutators>(
  options: Partial<SyncClientOptions<M, D>> = {},
  { backend = {}, online = true }: RigOptions<M> = {},
): Rig<M, D> {
  const clock = createFakeClock();
  const env = createFakeEnvironment(clock, { online });
  const fake = createFakeBackend<M>({ clock, ...backend });
  const storage = options.storage ?? createMemoryStorage();
  const pulls: string[][] = [];
  const counted: SyncConnector = {
    ...fake.connector,
    pull(request, opts) {
      pulls.push(Object.keys(request.threads));
      return fake.connector.pull(request, opts);
    },
  };
  const make = (extra: Partial<SyncClientOptions<M, D>> = {}, connector: SyncConnector = fake.connector) =>
    createSyncClient<M, D>({ connector, clock, environment: env, storage: createMemoryStorage(), ...extra });
  const client = make({ ...options, storage }, counted);
  const watches = new Map<string, number>();
  const watch = client.watch.bind(client);
  client.watch = (threadId) => {
    watches.set(threadId, (watches.get(threadId) ?? 0) + 1);
    const unwatch = watch(threadId);
    let active = true;
    return () => {
      if (active) watches.set(threadId, (watches.get(threadId) ?? 0) - 1);
      active = false;
      unwatch();
    };
  };
  const clients = [client];
  return {
    clock,
    env,
    fake,
    storage,
    client,
    watches,
    pulls,
    another(extra) {
      const c = make(extra);
      c.start();
      clients.push(c);
      return c;
    },
    async until(done, maxMs = 120_000) {
      for (let t = 0; t < maxMs && !done(); t += 50) await clock.advanceAsync(50);
      if (!done()) throw new Error(`condition not reached within ${maxMs} ms of fake time`);
    },
    dispose() {
      for (const c of clients) c.dispose();
      fake.close();
    },
  };
}

/** `createRig`, started, its stored outbox loaded. */
export async function rig<M extends BaseMessage = Message, D extends MutatorDefs<M> = NoMutators>(
  options: Partial<SyncClientOptions<M, D>> = {},
  backend: Omit<FakeBackendOptions<M>, 'clock'> = {},
): Promise<Rig<M, D>> {
  const r = createRig<M, D>(options, { backend });
  r.client.start();
  await r.client.ready;
  return r;
}

let nextId = 0;
/** `addMessage` args for a user message; the id is generated when not given. */
export function userMessage(id = `u${++nextId}`, content = `message ${id}`, createdAt = 1) {
  return { message: { id, role: 'user' as const, content, createdAt } };
}
