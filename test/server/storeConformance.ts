import { applyPatches } from '../../src/model/applyOps.js';
/**
 * What every ServerStore promises (src/server/types.ts), run against the memory store, PGlite and
 * a real PostgreSQL. Each test uses ids of its own, so one database serves the whole file.
 */
import { builtinMutators, MutationError } from '../../src/model/mutators.js';
import type { Message, Thread } from '../../src/model/types.js';
import type { PushRequest, WireMutation } from '../../src/protocol/wire.js';
import type { Clock } from '../../src/platform/clock.js';
import { ServerError } from '../../src/server/serverError.js';
import { createFakeClock } from '../../src/testing/fakeClock.js';
import type { MutatorTable, ServerStore, StoredEvent } from '../../src/server/types.js';

export interface StoreFactory {
  /** A store on the file's shared database (a new instance of the same one where that applies). */
  open(options?: { logLimit?: number }): Promise<ServerStore>;
  /** Whether two `open()` stores share state (several instances on one database). */
  shared: boolean;
}

let unique = 0;
const id = (label: string) => `${label}-${process.pid}-${++unique}-${Math.random().toString(36).slice(2, 8)}`;

const message = (mid: string, content = 'hello'): Message => ({ id: mid, role: 'user', content, createdAt: 1 });
/** The op a streamed token makes: text appended to the content of the thread's only message. */
const append = (mid: string, text: string) => ({ op: 'append', at: 0, id: mid, path: ['content'], text });

export const appMutators: MutatorTable = {
  ...builtinMutators,
  pin(draft: Thread, args: { messageId: string }) {
    draft.meta = { ...draft.meta, pinned: args.messageId };
  },
  halfThenThrow(draft: Thread) {
    draft.title = 'half-way';
    draft.messages.push(message('ghost'));
    throw new Error('boom');
  },
  refuse() {
    throw new MutationError('quota', 'Over quota.');
  },
};

function mutation(seq: number, threadId: string, name: string, args: unknown): WireMutation {
  return { seq, id: `w${seq}`, threadId, name, args, createdAt: 1 };
}

const push = (store: ServerStore, request: PushRequest) => store.push(request, appMutators);

export function describeStoreConformance(name: string, factory: StoreFactory) {
  describe(`ServerStore conformance: ${name}`, () => {
    let store: ServerStore;
    beforeAll(async () => {
      store = await factory.open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('creates a thread at v 0 and grows v by one per applied mutation, with one event each', async () => {
      const t = id('t');
      const client = id('c');
      const before = await store.head();
      const { response, events } = await push(store, {
        clientId: client,
        epoch: 1,
        mutations: [
          mutation(1, t, 'addMessage', { message: message('m1') }),
          mutation(2, t, 'appendDelta', { messageId: 'm1', text: ' world' }),
          mutation(3, t, 'addMessage', { message: message('m1') }), // idempotent, still a version
          mutation(4, t, 'setTitle', { title: 'Greeting' }),
        ],
      });
      expect(response).toEqual({
        lastSeq: 4,
        results: [1, 2, 3, 4].map((seq) => ({ seq, status: 'applied', v: seq })),
      });
      // Each version's entry holds what it changed (protocol v2's ops, docs/protocol.md).
      expect(events.map((e) => [e.type, e.threadId, e.v, e.type === 'patch' ? e.ops : null])).toEqual([
        ['patch', t, 1, [{ op: 'insert', at: 0, message: message('m1') }]],
        ['patch', t, 2, [append('m1', ' world')]],
        ['patch', t, 3, []],
        ['patch', t, 4, [{ op: 'thread', key: 'title', value: 'Greeting' }]],
      ]);
      const cursors = events.map((e) => BigInt(e.cursor));
      expect(cursors[0]! > BigInt(before)).toBe(true);
      for (let i = 1; i < cursors.length; i++) expect(cursors[i]! > cursors[i - 1]!).toBe(true);
      const thread = await store.thread(t);
      expect(thread).toMatchObject({ id: t, v: 4, title: 'Greeting', messages: [{ id: 'm1', content: 'hello world' }] });
      expect(thread!.messages).toHaveLength(1);
    });

    it('applies each (clientId, seq) once: a repeat answers duplicate with the first v, a repeated rejection as it was', async () => {
      const t = id('t');
      const client = id('c');
      const request: PushRequest = {
        clientId: client,
        epoch: 1,
        mutations: [mutation(1, t, 'addMessage', { message: message('a') }), mutation(2, t, 'editMessage', { messageId: 'nope', content: 'x' })],
      };
      const first = await push(store, request);
      expect(first.response.results[0]).toEqual({ seq: 1, status: 'applied', v: 1 });
      expect(first.response.results[1]).toMatchObject({ seq: 2, status: 'rejected', error: { code: 'not-found' } });
      const again = await push(store, structuredClone(request));
      expect(again.response).toEqual({ lastSeq: 2, results: [{ seq: 1, status: 'duplicate', v: 1 }, first.response.results[1]] });
      expect(again.events).toEqual([]);
      expect((await store.thread(t))!.v).toBe(1);
    });

    it('answers out-of-order for an unseen seq below the highest, and keeps lastSeq', async () => {
      const t = id('t');
      const client = id('c');
      await push(store, { clientId: client, epoch: 1, mutations: [mutation(5, t, 'setTitle', { title: 'five' })] });
      const late = await push(store, { clientId: client, epoch: 1, mutations: [mutation(3, t, 'setTitle', { title: 'three' })] });
      expect(late.response).toEqual({
        lastSeq: 5,
        results: [{ seq: 3, status: 'rejected', error: { code: 'out-of-order', message: expect.any(String) } }],
      });
      expect(await store.thread(t)).toMatchObject({ v: 1, title: 'five' });
    });

    it('fences an older epoch with 409 and changes nothing; a newer epoch takes over', async () => {
      const t = id('t');
      const client = id('c');
      await push(store, { clientId: client, epoch: 2, mutations: [mutation(1, t, 'setTitle', { title: 'a' })] });
      const head = await store.head();
      const zombie = push(store, { clientId: client, epoch: 1, mutations: [mutation(2, t, 'setTitle', { title: 'zombie' })] });
      await expect(zombie).rejects.toBeInstanceOf(ServerError);
      await expect(zombie).rejects.toMatchObject({ status: 409, code: 'fenced' });
      expect(await store.thread(t)).toMatchObject({ v: 1, title: 'a' });
      expect(await store.head()).toBe(head);
      const next = await push(store, { clientId: client, epoch: 3, mutations: [mutation(2, t, 'setTitle', { title: 'b' })] });
      expect(next.response.results).toEqual([{ seq: 2, status: 'applied', v: 2 }]);
      await expect(push(store, { clientId: client, epoch: 2, mutations: [] })).rejects.toMatchObject({ status: 409 });
    });

    it('refuses a clientId holding U+0000 with 400 before anything changes (a store called without the handler too)', async () => {
      const t = id('t');
      const head = await store.head();
      const refused = push(store, { clientId: `${id('c')}\u0000`, epoch: 1, mutations: [mutation(1, t, 'setTitle', { title: 'x' })] });
      await expect(refused).rejects.toBeInstanceOf(ServerError);
      await expect(refused).rejects.toMatchObject({ status: 400, code: 'bad-request' });
      expect(await store.thread(t)).toBeUndefined();
      expect(await store.head()).toBe(head);
    });

    it("runs the app's mutators; a failing one is rejected with its code and leaves no trace", async () => {
      const t = id('t');
      const client = id('c');
      const { response } = await push(store, {
        clientId: client,
        epoch: 1,
        mutations: [
          mutation(1, t, 'addMessage', { message: message('a') }),
          mutation(2, t, 'pin', { messageId: 'a' }),
          mutation(3, t, 'halfThenThrow', {}),
          mutation(4, t, 'refuse', {}),
          mutation(5, t, 'noSuchMutator', {}),
          mutation(6, t, 'setTitle', { title: 'after' }),
        ],
      });
      expect(response.results.map((r) => (r.status === 'rejected' ? r.error.code : r.status))).toEqual([
        'applied',
        'applied',
        'mutator-failed',
        'quota',
        'unknown-mutator',
        'applied',
      ]);
      // A plain Error's text ('boom') never reaches the client; a MutationError's does.
      const failed = response.results[2]!;
      expect(failed.status === 'rejected' && failed.error.message).not.toContain('boom');
      const thread = (await store.thread(t))!;
      expect(thread).toMatchObject({ v: 3, title: 'after', meta: { pinned: 'a' } });
      expect(thread.messages.map((m) => m.id)).toEqual(['a']);
    });

    it('a rejected first mutation creates no thread', async () => {
      const t = id('t');
      await push(store, { clientId: id('c'), epoch: 1, mutations: [mutation(1, t, 'deleteMessage', { messageId: 'x' })] });
      expect(await store.thread(t)).toBeUndefined();
    });

    it('pull returns only threads newer than known, with a cursor no older than what they reflect', async () => {
      const a = id('t');
      const b = id('t');
      const client = id('c');
      await push(store, {
        clientId: client,
        epoch: 1,
        mutations: [mutation(1, a, 'setTitle', { title: 'A' }), mutation(2, b, 'setTitle', { title: 'B' }), mutation(3, b, 'setTitle', { title: 'B2' })],
      });
      const head = await store.head();
      const pulled = await store.pull(new Map([[a, 1], [b, 1], [id('missing'), 0]]));
      expect(pulled.threads.map((x) => [x.id, x.v, x.title])).toEqual([[b, 2, 'B2']]);
      expect(BigInt(pulled.cursor) >= BigInt(head)).toBe(true);
      const read = await store.eventsSince(pulled.cursor, 100);
      expect(read.reset).toBe(false);
    });

    it('a v2 pull gets the ops since the version it names; version 0, a v1 pull or a pruned step get the thread', async () => {
      const t = id('t');
      const client = id('c');
      await push(store, {
        clientId: client,
        epoch: 1,
        mutations: [
          mutation(1, t, 'addMessage', { message: message('m1', 'x'.repeat(400)) }),
          mutation(2, t, 'appendDelta', { messageId: 'm1', text: ' a' }),
          mutation(3, t, 'setTitle', { title: 'T' }),
        ],
      });
      const thread = (await store.thread(t))!;
      const v2 = await store.pull(new Map([[t, 1]]), { patches: true });
      expect(v2.threads).toEqual([]);
      expect(v2.patches).toEqual([
        { threadId: t, fromV: 1, v: 3, ops: [append('m1', ' a'), { op: 'thread', key: 'title', value: 'T' }] },
      ]);
      // The client's copy at v1 with the ops applied is the server's thread.
      const atV1 = { ...thread, v: 1, title: undefined, messages: [message('m1', 'x'.repeat(400))] };
      delete atV1.title;
      expect(applyPatches(atV1, v2.patches!)).toMatchObject({ gap: false, thread: JSON.parse(JSON.stringify(thread)) as Thread });
      expect((await store.pull(new Map([[t, 0]]), { patches: true })).threads.map((x) => x.v)).toEqual([3]);
      expect(await store.pull(new Map([[t, 1]]))).toMatchObject({ threads: [{ id: t, v: 3 }] });
      expect((await store.pull(new Map([[t, 3]]), { patches: true })).threads).toEqual([]);
    });

    it('eventsSince resumes after a cursor, honours limit, and resets a cursor it cannot continue from', async () => {
      const t = id('t');
      const start = await store.head();
      const { events } = await push(store, {
        clientId: id('c'),
        epoch: 1,
        mutations: [1, 2, 3].map((seq) => mutation(seq, t, 'setTitle', { title: `v${seq}` })),
      });
      const all = await store.eventsSince(start, 100);
      expect(all.reset).toBe(false);
      const mine = (all as { events: StoredEvent[] }).events.filter((e) => e.threadId === t);
      expect(mine).toEqual(events);
      const one = await store.eventsSince(events[0]!.cursor, 1);
      expect(one).toMatchObject({ reset: false, events: [events[1]] });
      const head = await store.head();
      expect(await store.eventsSince(head, 10)).toEqual({ reset: false, head, events: [] });
      for (const bad of ['abc', '-1', '1.5', '', String(BigInt(head) + 1000n)]) {
        expect(await store.eventsSince(bad, 10)).toMatchObject({ reset: true });
      }
    });

    describe('a resume scoped to what its reader may see (ReplayScope)', () => {
      /** Thread `mine` with 2 small writes behind thread `theirs` with `deltas` deltas of `size` characters. */
      async function behind(deltas: number, size: number) {
        const mine = id('mine');
        const theirs = id('theirs');
        const start = await store.head();
        const client = id('c');
        await push(store, { clientId: client, epoch: 1, mutations: [mutation(1, theirs, 'addMessage', { message: message('m') })] });
        let seq = 1;
        for (let round = 0; round < deltas; round += 10) {
          const mutations = Array.from({ length: Math.min(10, deltas - round) }, () =>
            mutation(++seq, theirs, 'appendDelta', { messageId: 'm', text: 'x'.repeat(size) }),
          );
          await push(store, { clientId: client, epoch: 1, mutations });
        }
        const own = await push(store, {
          clientId: id('c'),
          epoch: 1,
          mutations: [mutation(1, mine, 'addMessage', { message: message('a') }), mutation(2, mine, 'setTitle', { title: 'mine' })],
        });
        return { mine, theirs, start, own: own.events, total: deltas + 3 };
      }
      const only = (threadId: string) => {
        const asked: string[][] = [];
        const visible = (ids: string[]) => {
          asked.push(ids);
          return Promise.resolve(new Set(ids.filter((t) => t === threadId)));
        };
        return { asked, visible };
      };

      it("returns only the visible threads' entries, asking once for the distinct threads of the window", async () => {
        const { mine, theirs, start, own, total } = await behind(30, 100);
        const scope = only(mine);
        const read = await store.eventsSince(start, 1000, { visible: scope.visible, maxThreads: 10, maxBytes: 1 << 20 });
        expect(read).toEqual({ reset: false, head: own[1]!.cursor, events: own, scanned: total, through: own[1]!.cursor });
        expect(scope.asked).toHaveLength(1);
        expect([...scope.asked[0]!].sort()).toEqual([mine, theirs].sort());
      });

      it("is not reset by another reader's megabytes, and is reset when its own entries weigh over maxBytes", async () => {
        const { mine, theirs, start, own } = await behind(40, 8000); // 320 kB of deltas in `theirs`
        const mineOnly = await store.eventsSince(start, 1000, { visible: only(mine).visible, maxThreads: 10, maxBytes: 64 * 1024 });
        expect(mineOnly).toMatchObject({ reset: false, events: own });
        const theirsToo = await store.eventsSince(start, 1000, { visible: only(theirs).visible, maxThreads: 10, maxBytes: 64 * 1024 });
        expect(theirsToo).toMatchObject({ reset: true });
      });

      it('is reset, without asking visible, when the window names more threads than maxThreads', async () => {
        const start = await store.head();
        const client = id('c');
        await push(store, { clientId: client, epoch: 1, mutations: [1, 2, 3, 4].map((seq) => mutation(seq, id('t'), 'setTitle', { title: 'x' })) });
        const scope = only('none');
        expect(await store.eventsSince(start, 1000, { visible: scope.visible, maxThreads: 3, maxBytes: 1 << 20 })).toMatchObject({ reset: true });
        expect(scope.asked).toEqual([]);
        expect(await store.eventsSince(start, 1000, { visible: scope.visible, maxThreads: 4, maxBytes: 1 << 20 })).toMatchObject({
          reset: false,
          events: [],
          scanned: 4,
        });
      });

      it('counts the whole window against limit, and resets a pruned cursor as an unscoped read does', async () => {
        const { mine, start, total } = await behind(20, 10);
        const read = await store.eventsSince(start, 5, { visible: only(mine).visible, maxThreads: 10, maxBytes: 1 << 20 });
        expect(read).toMatchObject({ reset: false, events: [], scanned: 5 });
        expect(total).toBeGreaterThan(5);
        for (const bad of ['abc', String(BigInt(await store.head()) + 1000n)]) {
          expect(await store.eventsSince(bad, 10, { visible: only(mine).visible, maxThreads: 10, maxBytes: 1 << 20 })).toMatchObject({ reset: true });
        }
      });
    });

    it('keeps a bounded log: a cursor older than the oldest kept entry gets reset', async () => {
      const small = await factory.open({ logLimit: 10 });
      try {
        const t = id('t');
        const client = id('c');
        const start = await small.head();
        let seq = 0;
        for (let round = 0; round < 6; round++) {
          await small.push({ clientId: client, epoch: 1, mutations: [1, 2, 3, 4, 5].map(() => mutation(++seq, t, 'setTitle', { title: `${seq}` })) }, appMutators);
        }
        expect(await small.eventsSince(start, 100)).toMatchObject({ reset: true });
        const head = BigInt(await small.head());
        const recent = await small.eventsSince(String(head - 5n), 100);
        expect(recent).toMatchObject({ reset: false });
        expect((recent as { events: StoredEvent[] }).events).toHaveLength(5);
      } finally {
        await small.close();
      }
    });

    it('serverWrite versions and logs like a push, with server-only mutators', async () => {
      const t = id('t');
      const serverOnly: MutatorTable = {
        ...appMutators,
        finish(draft: Thread) {
          draft.meta = { done: true };
        },
      };
      const added = await store.serverWrite(t, 'addMessage', { message: message('r', '') }, serverOnly);
      expect(added.result).toEqual({ status: 'applied', v: 1 });
      const delta = await store.serverWrite(t, 'appendDelta', { messageId: 'r', text: 'tok' }, serverOnly);
      expect(delta.events).toEqual([{ cursor: expect.any(String), type: 'patch', threadId: t, v: 2, ops: [append('r', 'tok')] }]);
      expect((await store.serverWrite(t, 'finish', {}, serverOnly)).result).toEqual({ status: 'applied', v: 3 });
      const missing = await store.serverWrite(t, 'appendDelta', { messageId: 'gone', text: 'x' }, serverOnly);
      expect(missing).toEqual({ result: { status: 'rejected', error: { code: 'not-found', message: expect.any(String) } }, events: [] });
      expect(await store.thread(t)).toMatchObject({ v: 3, meta: { done: true }, messages: [{ id: 'r', content: 'tok' }] });
    });

    it('applies 2 000 serverWrite calls on one thread, issued at once, in call order and exactly once', async () => {
      const t = id('t');
      const calls = [store.serverWrite(t, 'addMessage', { message: message('r', '') }, appMutators)];
      // One call refused midway changes nothing and stops nothing after it.
      for (let i = 0; i < 2000; i++) {
        const messageId = i === 1000 ? 'gone' : 'r';
        calls.push(store.serverWrite(t, 'appendDelta', { messageId, text: `${i} ` }, appMutators));
      }
      const outcomes = await Promise.all(calls);
      const versions = outcomes.map((o) => (o.result.status === 'applied' ? o.result.v : null));
      const expected = Array.from({ length: 2001 }, (_, i) => (i <= 1000 ? i + 1 : i === 1001 ? null : i));
      expect(versions).toEqual(expected);
      expect(outcomes[1001]!.events).toEqual([]);
      // Each caller gets the event of its own write.
      expect(outcomes[5]!.events).toEqual([{ cursor: expect.any(String), type: 'patch', threadId: t, v: 6, ops: [append('r', '4 ')] }]);
      const text = Array.from({ length: 2000 }, (_, i) => (i === 1000 ? '' : `${i} `)).join('');
      expect(await store.thread(t)).toMatchObject({ v: 2000, messages: [{ id: 'r', content: text }] });
      const cursors = outcomes.flatMap((o) => o.events.map((e) => BigInt(e.cursor)));
      expect(cursors.every((c, i) => i === 0 || c > cursors[i - 1]!)).toBe(true);
    }, 60_000);

    it('applies two pushes naming 10 500 new threads each while another tenant pushes at the same time', async () => {
      const prefix = id('many');
      const big = (n: number) =>
        push(store, {
          clientId: id('c'),
          epoch: 1,
          mutations: Array.from({ length: 10_500 }, (_, i) => mutation(i + 1, `${prefix}-${n}-${i}`, 'setTitle', { title: 'x' })),
        });
      const other = id('t');
      const small = push(store, { clientId: id('c'), epoch: 1, mutations: [mutation(1, other, 'setTitle', { title: 'mine' })] });
      const [first, second, mine] = await Promise.all([big(1), big(2), small]);
      for (const many of [first, second]) expect(many.response.results.filter((r) => r.status === 'applied')).toHaveLength(10_500);
      expect(mine.response.results).toEqual([{ seq: 1, status: 'applied', v: 1 }]);
      expect(await store.thread(`${prefix}-2-10499`)).toMatchObject({ v: 1, title: 'x' });
    }, 120_000);

    it('binds a clientId to the first principal: another one gets 403, changes nothing and learns nothing', async () => {
      const t = id('t');
      const client = id('c');
      const alice = { principal: id('alice') };
      const mallory = { principal: id('mallory') };
      const first = await store.push({ clientId: client, epoch: 1, mutations: [mutation(1, t, 'setTitle', { title: 'mine' })] }, appMutators, alice);
      expect(first.response.results).toEqual([{ seq: 1, status: 'applied', v: 1 }]);
      const attempts: PushRequest[] = [
        { clientId: client, epoch: 2 ** 53 - 1, mutations: [] }, // fence the owner for good
        { clientId: client, epoch: 1, mutations: [mutation(1, t, 'setTitle', { title: 'stolen' })] }, // replay seq 1
        { clientId: client, epoch: 1, mutations: [mutation(1000, t, 'setTitle', { title: 'stolen' })] }, // pre-claim seqs
      ];
      for (const request of attempts) {
        const refused = store.push(request, appMutators, mallory);
        await expect(refused).rejects.toBeInstanceOf(ServerError);
        await expect(refused).rejects.toMatchObject({ status: 403 });
      }
      // The owner goes on as if nothing happened: same epoch, next seq applied, old seq a duplicate.
      const next = await store.push(
        { clientId: client, epoch: 1, mutations: [mutation(1, t, 'setTitle', { title: 'mine' }), mutation(2, t, 'setTitle', { title: 'still mine' })] },
        appMutators,
        alice,
      );
      expect(next.response).toEqual({ lastSeq: 2, results: [{ seq: 1, status: 'duplicate', v: 1 }, { seq: 2, status: 'applied', v: 2 }] });
      expect(await store.thread(t)).toMatchObject({ v: 2, title: 'still mine' });
    });

    it('keeps any text exactly, U+0000 and lone surrogates included', async () => {
      const t = id('t');
      const content = 'a\u0000b \ud800 é 🧵 "quotes" \\ </script>';
      await push(store, { clientId: id('c'), epoch: 1, mutations: [mutation(1, t, 'addMessage', { message: message('m', content) })] });
      const { events } = await push(store, { clientId: id('c'), epoch: 1, mutations: [mutation(1, t, 'appendDelta', { messageId: 'm', text: '\u0000' })] });
      expect((await store.thread(t))!.messages[0]!.content).toBe(`${content}\u0000`);
      const read = await store.eventsSince(String(BigInt(events[0]!.cursor) - 1n), 1);
      expect(read).toMatchObject({ reset: false, events: [{ type: 'patch', ops: [append('m', '\u0000')] }] });
    });

    it('concurrent pushes to one thread from many clients (and one client racing itself) apply each write once', async () => {
      const stores = factory.shared ? [store, await factory.open(), await factory.open()] : [store];
      try {
        const t = id('t');
        const clients = Array.from({ length: 8 }, () => id('c'));
        type Outcome = { response: { results: { status: string; v?: number }[] }; events: StoredEvent[] };
        // Clients run at once; each sends its seqs in order, every push twice at once through
        // two instances (a retry racing its original).
        const perClient = clients.map(async (client, i) => {
          const out: Outcome[] = [];
          for (let seq = 1; seq <= 5; seq++) {
            const request: PushRequest = { clientId: client, epoch: 1, mutations: [mutation(seq, t, 'addMessage', { message: message(`${client}-${seq}`) })] };
            out.push(
              ...(await Promise.all([
                push(stores[i % stores.length]!, request),
                push(stores[(i + 1) % stores.length]!, structuredClone(request)),
              ])),
            );
          }
          return out;
        });
        const outcomes = (await Promise.all(perClient)).flat();
        const statuses = outcomes.map((o) => o.response.results[0]!.status);
        expect(statuses.filter((s) => s === 'applied')).toHaveLength(40);
        expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(40);
        const thread = (await store.thread(t))!;
        expect(thread.v).toBe(40);
        expect(thread.messages).toHaveLength(40);
        const versions = outcomes.filter((o) => o.response.results[0]!.status === 'applied').map((o) => o.response.results[0]!.v);
        expect(new Set(versions).size).toBe(40);
        const cursors = outcomes.flatMap((o) => o.events.map((e) => e.cursor));
        expect(new Set(cursors).size).toBe(40);
      } finally {
        for (const s of stores.slice(1)) await s.close();
      }
    });
  });
}

/** Options every store takes (createMemoryStore, createPostgresStore). */
export interface FreshOptions {
  clock?: Clock;
  idempotencyRetentionMs?: number;
}

/** A store on an empty database (its cursors start at 1), and how to let it go. */
export type FreshStore = (options?: FreshOptions) => Promise<{ store: ServerStore; dispose(): Promise<void> }>;

/** Cursors are numbers: a resume from 8 reads 9, 10, 11, 12, not "10" < "11" < "12" < "9" (issue 16). */
export function describeCursorOrder(name: string, fresh: FreshStore) {
  it(`${name}: a resume across a power of ten reads the entries in cursor order, scoped or not`, async () => {
    const { store, dispose } = await fresh();
    try {
      await push(store, { clientId: 'order', epoch: 1, mutations: Array.from({ length: 12 }, (_, i) => mutation(i + 1, 'order-t', 'setTitle', { title: `${i}` })) });
      const expected = ['9', '10', '11', '12'];
      const plain = await store.eventsSince('8', 100);
      expect(plain.reset ? 'reset' : plain.events.map((e) => e.cursor)).toEqual(expected);
      const scoped = await store.eventsSince('8', 100, { visible: (ids) => Promise.resolve(new Set(ids)), maxThreads: 10, maxBytes: 1 << 20 });
      expect(scoped.reset ? 'reset' : scoped.events.map((e) => e.cursor)).toEqual(expected);
      expect(await store.eventsSince('9', 2)).toMatchObject({ reset: false, events: [{ cursor: '10' }, { cursor: '11' }] });
    } finally {
      await dispose();
    }
  });
}

const DAY = 24 * 60 * 60 * 1000;
const RETENTION = 7 * DAY;

/**
 * Idempotency retention (docs/server.md): results and client records are pruned past it, and a
 * write re-sent after that answers `expired`: never applied twice, never silently dropped.
 */
export function describeRetention(name: string, fresh: FreshStore) {
  describe(`idempotency retention: ${name}`, () => {
    const start = Date.UTC(2026, 0, 5);
    const add = (seq: number, threadId: string, createdAt: number) => ({
      seq,
      id: `w${seq}`,
      threadId,
      name: 'addMessage',
      args: { message: message(`m${seq}`) },
      createdAt,
    });
    const statuses = (response: { results: Array<{ status: string; error?: { code: string } }> }) =>
      response.results.map((r) => (r.status === 'rejected' ? r.error!.code : r.status));

    it('an active client keeps its recent results; a seq whose result was pruned answers expired, a new one applies', async () => {
      const clock = createFakeClock({ now: start });
      const { store, dispose } = await fresh({ clock, idempotencyRetentionMs: RETENTION });
      try {
        await push(store, { clientId: 'active', epoch: 1, mutations: [add(1, 'a', clock.now())] });
        clock.setWallTime(start + 4 * DAY);
        await push(store, { clientId: 'active', epoch: 1, mutations: [add(2, 'a', clock.now())] });
        clock.setWallTime(start + 8 * DAY);
        const again = await push(store, { clientId: 'active', epoch: 1, mutations: [add(1, 'a', start), add(2, 'a', start + 4 * DAY), add(3, 'a', clock.now())] });
        expect(statuses(again.response)).toEqual(['expired', 'duplicate', 'applied']);
        expect((again.response.results[0] as { error: { message: string } }).error.message).toMatch(/seq 1 of client active.*retry or discard/);
        const thread = await store.thread('a');
        expect(thread).toMatchObject({ v: 3 });
        expect(thread!.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
        // The same answer every time: the expired seq is remembered as such.
        const third = await push(store, { clientId: 'active', epoch: 1, mutations: [add(1, 'a', start)] });
        expect(statuses(third.response)).toEqual(['expired']);
      } finally {
        await dispose();
      }
    });

    it("a client that returns after its record was forgotten gets expired for its old writes; new clients' writes apply", async () => {
      const clock = createFakeClock({ now: start });
      const { store, dispose } = await fresh({ clock, idempotencyRetentionMs: RETENTION });
      try {
        const first = await push(store, { clientId: 'away', epoch: 1, mutations: [add(1, 'b', start)] });
        expect(statuses(first.response)).toEqual(['applied']);
        clock.setWallTime(start + 9 * DAY);
        // Another client's push prunes; the returning one re-sends the write it got no answer for.
        await push(store, { clientId: 'other', epoch: 1, mutations: [add(1, 'other', clock.now())] });
        const back = await push(store, { clientId: 'away', epoch: 2, mutations: [add(1, 'b', start), add(2, 'b', clock.now())] });
        expect(statuses(back.response)).toEqual(['expired', 'applied']);
        expect((await store.thread('b'))!.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
        const again = await push(store, { clientId: 'away', epoch: 2, mutations: [add(1, 'b', start)] });
        expect(statuses(again.response)).toEqual(['expired']);
        // A client the store never saw, its writes made just now (a clock 3 days slow included).
        const newcomer = await push(store, { clientId: 'new', epoch: 1, mutations: [add(1, 'c', clock.now()), add(2, 'c', clock.now() - 3 * DAY)] });
        expect(statuses(newcomer.response)).toEqual(['applied', 'applied']);
      } finally {
        await dispose();
      }
    });

    it('keeps everything within the retention: a late duplicate still gets its first answer', async () => {
      const clock = createFakeClock({ now: start });
      const { store, dispose } = await fresh({ clock, idempotencyRetentionMs: RETENTION });
      try {
        await push(store, { clientId: 'late', epoch: 1, mutations: [add(1, 'd', start), { ...add(2, 'd', start), name: 'refuse' }] });
        clock.setWallTime(start + 6 * DAY);
        await push(store, { clientId: 'other', epoch: 1, mutations: [add(1, 'other', clock.now())] });
        const late = await push(store, { clientId: 'late', epoch: 1, mutations: [add(1, 'd', start), { ...add(2, 'd', start), name: 'refuse' }] });
        expect(statuses(late.response)).toEqual(['duplicate', 'quota']);
      } finally {
        await dispose();
      }
    });
  });
}
