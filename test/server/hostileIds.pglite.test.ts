/**
 * The id rules on the PostgreSQL store (PGlite): ids PostgreSQL cannot keep apart, or cannot
 * index, are refused by the handler with a 400 before the store sees them (docs/server.md, "Ids").
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, createSyncHandler } from 'syncline/server';

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
}, 60_000);
afterAll(() => db?.close());

const mutation = (seq: number, threadId: string, id = `w${seq}`) => ({
  seq,
  id,
  threadId,
  name: 'addMessage',
  args: { message: { id: `m${seq}`, role: 'user', content: 'hi', createdAt: 1 } },
  createdAt: 1,
});

describe('ids on PostgreSQL (PGlite)', () => {
  it('two lone-surrogate thread ids do not collide (both refused), an 8 kB id is a 400 not a 500, the thread kept is whole', async () => {
    const store = createPostgresStore({ pool: db });
    const handler = createSyncHandler({ store, onError: () => undefined });
    const post = (path: string, body: unknown) =>
      handler(new Request(`https://app.example${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    const kept = await post('/push', { clientId: 'c1', epoch: 1, mutations: [mutation(1, 'A:note-😀'), mutation(2, 'A:note-😀')] });
    expect(kept.status).toBe(200);
    for (const [threadId, id] of [['A:note-\ud83d', 'w3'], ['A:note-\udca9', 'w3'], ['t', 'x'.repeat(8192)], ['t'.repeat(8192), 'w3']]) {
      const res = await post('/push', { clientId: 'c1', epoch: 1, mutations: [mutation(3, threadId!, id)] });
      expect(res.status).toBe(400);
    }
    const pulled = (await (await post('/pull', { clientId: 'c1', threads: { 'A:note-😀': 0 } })).json()) as { threads: Array<{ v: number; messages: unknown[] }> };
    expect(pulled.threads.map((t) => [t.v, t.messages.length])).toEqual([[2, 2]]);
    await handler.close();
    await store.close();
  }, 60_000);
});
