/** How the PostgreSQL store keeps a thread (src/server/postgresThreads.ts): a snapshot plus ops, so a write costs its change. */
import { PGlite } from '@electric-sql/pglite';
import { builtinMutators } from '../../src/model/mutators.js';
import type { Message, Thread } from '../../src/model/types.js';
import { createPostgresStore } from '../../src/server/postgresStore.js';
import type { MutatorTable } from '../../src/server/types.js';

const mutators: MutatorTable = {
  ...builtinMutators,
  seed(draft: Thread, args: { count: number }) {
    for (let i = 0; i < args.count; i++) draft.messages.push({ id: `s${i}`, role: 'user', content: 'x'.repeat(2048), createdAt: i } as Message);
  },
};

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
}, 60_000);
afterAll(() => db?.close());

const row = async (id: string) =>
  (
    await db.query<{ v: number; body_v: number; body_bytes: number }>(
      'SELECT v::float8 AS v, body_v::float8 AS body_v, body_bytes::float8 AS body_bytes FROM syncline_threads WHERE id = $1',
      [id],
    )
  ).rows[0]!;
const opsRows = async (id: string) =>
  (await db.query<{ n: number }>('SELECT count(*)::float8 AS n FROM syncline_thread_ops WHERE thread_id = $1', [id])).rows[0]!.n;

describe('PostgreSQL store: a thread as a snapshot plus ops', () => {
  it('a token on a 200 KB thread stores its op, not the thread; another instance reads the same thread', async () => {
    const a = createPostgresStore({ pool: db });
    const b = createPostgresStore({ pool: db });
    await a.serverWrite('long', 'seed', { count: 100 }, mutators);
    await a.serverWrite('long', 'addMessage', { message: { id: 'r', role: 'assistant', content: '', createdAt: 1 } }, mutators);
    const seeded = await row('long');
    expect(seeded.body_bytes).toBeGreaterThan(200_000);
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.serverWrite('long', 'appendDelta', { messageId: 'r', text: `${i} ` }, mutators)));
    // 50 versions later the snapshot is the one written before them: each write stored its op.
    expect(await row('long')).toMatchObject({ v: seeded.v + 50, body_v: seeded.body_v });
    expect(await opsRows('long')).toBe(50 + seeded.v - seeded.body_v);
    const text = Array.from({ length: 50 }, (_, i) => `${i} `).join('');
    const onA = await a.thread('long');
    const onB = await b.thread('long');
    expect(onB).toEqual(onA);
    expect(onB!.messages.at(-1)).toMatchObject({ id: 'r', content: text });
    // B writes, A (holding the previous version) reads B's op on top of its copy.
    await b.serverWrite('long', 'appendDelta', { messageId: 'r', text: 'end' }, mutators);
    expect((await a.thread('long'))!.messages.at(-1)!.content).toBe(`${text}end`);
    await a.close();
    await b.close();
  });

  it('writes the thread whole again once its ops outweigh the snapshot, and drops them', async () => {
    const store = createPostgresStore({ pool: db });
    await store.serverWrite('short', 'addMessage', { message: { id: 'r', role: 'assistant', content: '', createdAt: 1 } }, mutators);
    // 70 KB of ops on a thread of less than 1 KB: past the 64 KB floor, the next write compacts.
    const chunk = 'y'.repeat(1000);
    for (let i = 0; i < 70; i++) await store.serverWrite('short', 'appendDelta', { messageId: 'r', text: chunk }, mutators);
    const compacted = await row('short');
    expect(compacted.body_v).toBeGreaterThan(1);
    expect(await opsRows('short')).toBe(compacted.v - compacted.body_v);
    const fresh = createPostgresStore({ pool: db });
    expect((await fresh.thread('short'))!.messages[0]!.content).toBe(chunk.repeat(70));
    await store.close();
    await fresh.close();
  });
});
