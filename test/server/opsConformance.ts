/**
 * Protocol v2's ops on every store (docs/protocol.md): whatever mix of built-in and app mutators
 * a thread sees, a copy that applies each version's log entry (its ops, or the thread when the
 * store logged the version alone) is the store's thread. Property-tested (fast-check).
 */
import fc from 'fast-check';
import { applyOps } from '../../src/model/applyOps.js';
import { builtinMutators } from '../../src/model/mutators.js';
import type { Message, Thread } from '../../src/model/types.js';
import type { MutatorTable, ServerStore, StoredEvent } from '../../src/server/types.js';

/** App mutators that change a thread in ways no built-in does: nested fields, moves, deleted keys, whole arrays. */
const mutators: MutatorTable = {
  ...builtinMutators,
  tag(draft: Thread, args: { at: number; label: string }) {
    const message = draft.messages[args.at % Math.max(1, draft.messages.length)] as (Message & { meta?: { tags: string[] } }) | undefined;
    if (!message) return;
    message.meta = { tags: [...(message.meta?.tags ?? []), args.label] };
  },
  moveLastFirst(draft: Thread) {
    const last = draft.messages.pop();
    if (last) draft.messages.unshift(last);
  },
  untitle(draft: Thread) {
    delete draft.title;
  },
  setParts(draft: Thread, args: { at: number; parts: unknown[] }) {
    const message = draft.messages[args.at % Math.max(1, draft.messages.length)] as (Message & { parts?: unknown[] }) | undefined;
    if (message) message.parts = args.parts;
  },
};

const ids = ['a', 'b', 'c', 'd'];
const text = fc.string({ maxLength: 5 });
const write = fc.oneof(
  fc.record({ name: fc.constant('addMessage'), args: fc.record({ message: fc.record({ id: fc.constantFrom(...ids), role: fc.constant('user'), content: text, createdAt: fc.nat(9) }) }) }),
  fc.record({ name: fc.constant('editMessage'), args: fc.record({ messageId: fc.constantFrom(...ids), content: text }) }),
  fc.record({ name: fc.constant('deleteMessage'), args: fc.record({ messageId: fc.constantFrom(...ids) }) }),
  fc.record({ name: fc.constant('appendDelta'), args: fc.record({ messageId: fc.constantFrom(...ids), text }) }),
  fc.record({ name: fc.constant('setTitle'), args: fc.record({ title: text }) }),
  fc.record({ name: fc.constant('tag'), args: fc.record({ at: fc.nat(5), label: text }) }),
  fc.record({ name: fc.constant('moveLastFirst'), args: fc.constant({}) }),
  fc.record({ name: fc.constant('untitle'), args: fc.constant({}) }),
  fc.record({ name: fc.constant('setParts'), args: fc.record({ at: fc.nat(5), parts: fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 3 }) }) }),
);

/** JSON as the wire and the stores keep it (no undefined keys, no -0). */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function describeOpsConformance(name: string, open: () => Promise<ServerStore>, numRuns = 25) {
  describe(`protocol v2 ops: ${name}`, () => {
    let store: ServerStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(() => store?.close());
    let unique = 0;

    it('a copy that applies each version’s ops is the store’s thread, for any mix of built-in and app mutators', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), async (writes) => {
          const t = `ops-${process.pid}-${++unique}`;
          const start = await store.head();
          let copy: Thread | undefined;
          for (const w of writes) {
            const { result, events } = await store.serverWrite(t, w.name, w.args, mutators);
            if (result.status !== 'applied') continue;
            expect(events.map((e) => e.v)).toEqual([result.v]);
            copy = await follow(copy, events[0]!, t);
          }
          const thread = await store.thread(t);
          expect(copy === undefined ? undefined : wire(copy)).toEqual(thread && wire(thread));
          // The log says the same to a stream resuming from before the first write (when every
          // version is a patch: a `thread` entry names a version the store no longer holds).
          const read = await store.eventsSince(start, 10_000);
          if (read.reset) return;
          const entries = read.events.filter((e) => e.threadId === t);
          if (!entries.every((e) => e.type === 'patch')) return;
          let replayed: Thread | undefined;
          for (const entry of entries) replayed = await follow(replayed, entry, t);
          expect(replayed && wire(replayed)).toEqual(thread && wire(thread));
        }),
        { numRuns },
      );
    }, 120_000);

    /**
     * One version's entry on top of the copy: its ops (a first write starts from the empty thread,
     * created at the store's clock), or for a `thread` entry the store's thread, read right after.
     */
    async function follow(copy: Thread | undefined, entry: StoredEvent, t: string): Promise<Thread> {
      if (entry.type !== 'patch') return (await store.thread(t))!;
      const base = copy ?? { id: t, v: 0, messages: [], createdAt: (await store.thread(t))!.createdAt };
      expect(base.v).toBe(entry.v - 1);
      const { thread, gap } = applyOps(base, entry.ops);
      expect(gap).toBe(false);
      return { ...thread, v: entry.v };
    }
  });
}
