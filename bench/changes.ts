/**
 * What one write costs on PostgreSQL as a thread grows (`npm run bench`): assistant tokens per
 * second through the store's `serverWrite`, awaited one by one and issued without awaiting each
 * (group-committed, src/server/serverWriteQueue.ts), on threads of 10 to 10 000 messages of 2 KB,
 * durable commits, loopback; and the median push of one small message.
 */
import { builtinMutators } from '../src/model/mutators.js';
import type { Message, Thread } from '../src/model/types.js';
import { createPostgresStore } from '../src/server/postgresStore.js';
import type { MutatorTable } from '../src/server/types.js';
import { createTestDatabase } from '../scripts/services.js';

export const THREAD_SIZES = [10, 100, 1_000, 10_000] as const;

const mutators: MutatorTable = {
  ...builtinMutators,
  // Seeds a long thread in one version (one write per message would cost O(n²) to set up).
  seed(draft: Thread, args: { count: number }) {
    const body = 'x'.repeat(2048);
    for (let i = 0; i < args.count; i++) {
      draft.messages.push({ id: `s${i}`, role: 'user', content: body, createdAt: i } as Message);
    }
  },
};

export interface ChangesRow {
  messages: number;
  awaitedTokensPerSecond: number;
  unawaitedTokensPerSecond: number;
  /** `store.push` of one small message by a client, median of 30 (ms). */
  pushMedianMs: number;
}

export async function changesBench(): Promise<ChangesRow[]> {
  const db = await createTestDatabase('changes');
  const store = createPostgresStore({ connectionString: db.connectionString });
  const rows: ChangesRow[] = [];
  try {
    for (const messages of THREAD_SIZES) {
      const t = `bench-${messages}`;
      await store.serverWrite(t, 'seed', { count: messages }, mutators);
      await store.serverWrite(t, 'addMessage', { message: { id: 'r', role: 'assistant', content: '', createdAt: 1 } }, mutators);
      // Awaited: as many tokens as fit in 2 s (at least 3).
      let tokens = 0;
      const start = performance.now();
      while (tokens < 3 || performance.now() - start < 2000) {
        await store.serverWrite(t, 'appendDelta', { messageId: 'r', text: 'tok ' }, mutators);
        tokens++;
      }
      const awaited = tokens / ((performance.now() - start) / 1000);
      const n = 2000;
      const burst = performance.now();
      await Promise.all(Array.from({ length: n }, () => store.serverWrite(t, 'appendDelta', { messageId: 'r', text: 'tok ' }, mutators)));
      const unawaited = n / ((performance.now() - burst) / 1000);
      const times: number[] = [];
      for (let seq = 1; seq <= 30; seq++) {
        const message = { id: `u${seq}`, role: 'user', content: 'y'.repeat(100), createdAt: 1 };
        const start = performance.now();
        await store.push({ clientId: `bench-${messages}`, epoch: 1, mutations: [{ seq, id: `u${seq}`, threadId: t, name: 'addMessage', args: { message }, createdAt: 1 }] }, mutators);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      rows.push({
        messages,
        awaitedTokensPerSecond: Math.round(awaited),
        unawaitedTokensPerSecond: Math.round(unawaited),
        pushMedianMs: times[times.length >> 1]!,
      });
    }
  } finally {
    await store.close();
    await db.drop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await changesBench());
