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
  /** Another client over the same backend, clock and environment (none of the first's options). */
  another(options?: Partial<SyncClientOptions<M, D>>): SyncClient<M, D>;
  /** Advances fake time in steps until `done()` holds (bounded). */
  until(done: () => boolean, maxMs?: number): Promise<void>;
}

/** A client over the in-memory reference backend, on a fake clock and a fake page. */
export async function rig<M extends BaseMessage = Message, D extends MutatorDefs<M> = NoMutators>(
  options: Partial<SyncClientOptions<M, D>> = {},
  backend: Omit<FakeBackendOptions<M>, 'clock'> = {},
): Promise<Rig<M, D>> {
  const clock = createFakeClock();
  const env = createFakeEnvironment(clock);
  const fake = createFakeBackend<M>({ clock, ...backend });
  const storage = options.storage ?? createMemoryStorage();
  const make = (extra: Partial<SyncClientOptions<M, D>> = {}) =>
    createSyncClient<M, D>({ connector: fake.connector, clock, environment: env, storage: createMemoryStorage(), ...extra });
  const client = make({ ...options, storage });
  client.start();
  await client.ready;
  const clients = [client];
  return {
    clock,
    env,
    fake,
    storage,
    client,
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
  };
}

export function userMessage(id: string, content = `message ${id}`, createdAt = 1) {
  return { message: { id, role: 'user' as const, content, createdAt } };
}
