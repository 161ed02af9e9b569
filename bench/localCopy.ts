/**
 * What the local copy writes to IndexedDB while an assistant reply streams in (docs/local-copy.md):
 * fake-indexeddb in Node, the client's own batching on the fake clock.
 */
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { createSyncClient } from '../src/client/createSyncClient.js';
import { COPY_WRITE_MS } from '../src/client/localCopy.js';
import { createFakeBackend } from '../src/testing/fakeBackend.js';
import { createFakeClock } from '../src/testing/fakeClock.js';
import { createFakeEnvironment } from '../src/testing/fakeEnvironment.js';

export interface CopyWrites {
  tokens: number;
  /** IndexedDB puts of thread records while the reply streamed and settled. */
  puts: number;
  /** Their JSON size, summed. */
  bytes: number;
}

/** A `tokens`-token reply at 40 tokens/s into a thread of `messages` messages. */
export async function copyWritesPerReply(messages = 10, tokens = 200): Promise<CopyWrites> {
  const g = globalThis as { indexedDB?: IDBFactory };
  const before = g.indexedDB;
  g.indexedDB = new IDBFactory();
  const put = IDBObjectStore.prototype.put;
  let counting = false;
  const counted = { puts: 0, bytes: 0 };
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (counting && this.name === 'threads') {
      counted.puts++;
      counted.bytes += JSON.stringify(value).length;
    }
    return put.call(this, value, key);
  };
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock });
  const client = createSyncClient({ connector: fake.connector, clock, environment: createFakeEnvironment(clock), tabs: 'alone' });
  try {
    for (let i = 0; i < messages; i++) {
      fake.backend.serverWrite('t1', 'addMessage', { message: { id: `m${i}`, role: 'user', content: `message ${i}`.padEnd(100, 'x'), createdAt: i } });
    }
    client.start();
    await client.ready;
    client.watch('t1');
    await clock.advanceAsync(COPY_WRITE_MS * 3);
    await settle();
    counting = true;
    fake.reply('t1', { tokens, intervalMs: 25 });
    // The reply, then the copy's next write after it.
    for (let t = 0; t < tokens * 25 + COPY_WRITE_MS * 3; t += 100) {
      await clock.advanceAsync(100);
      await settle();
    }
    const last = client.getThread('t1')?.messages.at(-1);
    if (last?.role !== 'assistant') throw new Error('the reply never reached the client');
    return { tokens, ...counted };
  } finally {
    client.dispose();
    fake.close();
    IDBObjectStore.prototype.put = put;
    g.indexedDB = before;
  }
}

/** Lets fake-indexeddb's own tasks (setImmediate) run while fake time stands still. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
