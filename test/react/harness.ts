import { cleanup } from '@testing-library/react';
import { createMemoryStorage, createSyncClient } from 'syncline';
import type { Message, Mutator, SyncClient, SyncClientOptions } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import type { FakeBackend, FakeClock, FakeEnvironment, Faults } from 'syncline/testing';

/** A real client over the in-memory fake backend, all on one fake clock. */
export interface Harness {
  client: SyncClient;
  backend: FakeBackend;
  clock: FakeClock;
  environment: FakeEnvironment;
  /** Net watches per thread, counted around the real `client.watch`. */
  watches: Map<string, number>;
  /** Pull requests the connector saw, as the thread ids each one asked for. */
  pulls: string[][];
  dispose(): void;
}

export interface HarnessOptions {
  faults?: Faults;
  online?: boolean;
  /** Same mutators on the client and the server. */
  mutators?: Record<string, Mutator>;
  client?: Partial<SyncClientOptions>;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const clock = createFakeClock();
  const environment = createFakeEnvironment(clock, { online: options.online ?? true });
  const backend = createFakeBackend({ clock, faults: options.faults, mutators: options.mutators });
  const pulls: string[][] = [];
  const connector = {
    ...backend.connector,
    pull: (request: Parameters<FakeBackend['connector']['pull']>[0], opts?: Parameters<FakeBackend['connector']['pull']>[1]) => {
      pulls.push(Object.keys(request.threads));
      return backend.connector.pull(request, opts);
    },
  };
  const client = createSyncClient({
    connector,
    clock,
    environment,
    storage: createMemoryStorage(),
    mutators: options.mutators,
    ...options.client,
  });
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
  return {
    client,
    backend,
    clock,
    environment,
    watches,
    pulls,
    dispose() {
      client.dispose();
      backend.close();
    },
  };
}

/**
 * A fresh harness for each test of the file, handed to `use`. After each test the components
 * unmount before the client stops, so no update lands outside act().
 */
export function harnessPerTest(use: (harness: Harness) => void, options?: HarnessOptions): void {
  let current: Harness | undefined;
  beforeEach(() => use((current = createHarness(options))));
  afterEach(() => {
    cleanup();
    current?.dispose();
    current = undefined;
  });
}

let nextId = 0;
/** A user message for `addMessage`. */
export function userMessage(content = 'hello'): { message: Message } {
  nextId += 1;
  return { message: { id: `m${nextId}`, role: 'user', content, createdAt: 0 } };
}
