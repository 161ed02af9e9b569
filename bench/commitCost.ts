/**
 * The cost of one mutate + store commit on a client holding 1 … 3 000 threads: a commit must
 * recompute only the threads that changed, so the count of threads must not show.
 */
import { createMemoryStorage, createSyncClient } from '../src/index.js';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from '../src/testing/index.js';

export async function mutateCommitCostMs(threads: number, rounds = 5, perRound = 2000): Promise<number> {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock });
  const client = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), storage: createMemoryStorage() });
  client.start();
  await client.ready;
  for (let i = 0; i < threads; i++) {
    fake.backend.serverWrite(`t${i}`, 'setTitle', { title: `thread ${i}` });
    client.watch(`t${i}`);
  }
  await clock.advanceAsync(1000);
  if (Object.keys(client.store.getState().threads).length !== threads) throw new Error('threads were not loaded');
  // Stopped: nothing is sent, and setTitle writes to one thread coalesce into one queued write,
  // so every round measures the same work: one mutate, one commit.
  client.stop();
  let n = 0;
  const step = () => {
    client.mutate('t0', 'setTitle', { title: `title ${n++}` });
    client.getSyncStatus('t0'); // publishes the commit now
  };
  for (let i = 0; i < 500; i++) step(); // warm up the JIT
  const perOp: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    for (let i = 0; i < perRound; i++) step();
    perOp.push((performance.now() - started) / perRound);
  }
  client.dispose();
  fake.close();
  return perOp.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}
