import fc from 'fast-check';
import { mergeThreads } from '../../src/model/mergeThreads.js';
import type { Message, Thread } from '../../src/model/types.js';

function msg(id: string, content = id, extra: Partial<Message> = {}): Message {
  return { id, role: 'user', content, createdAt: 100, ...extra };
}

function thread(messages: Message[], extra: Partial<Thread> = {}): Thread {
  return { id: 't', v: 1, createdAt: 50, messages, ...extra };
}

const ids = (t: Thread) => t.messages.map((m) => m.id);

describe('mergeThreads', () => {
  it('keeps two different messages with the same role, time and text (ids, not content, match)', () => {
    const base = thread([]);
    const local = thread([msg('a', 'ok', { createdAt: 7 })]);
    const remote = thread([msg('b', 'ok', { createdAt: 7 })]);
    expect(ids(mergeThreads(base, local, remote))).toEqual(['b', 'a']);
  });

  it('keeps a message added on both sides once', () => {
    const m = msg('a', 'hello');
    expect(mergeThreads(thread([]), thread([m]), thread([m])).messages).toEqual([m]);
  });

  it('merges edits of different fields of one message', () => {
    const base = thread([msg('a', 'draft', { status: 'streaming' })]);
    const local = thread([msg('a', 'final', { status: 'streaming' })]);
    const remote = thread([msg('a', 'draft', { status: 'done' })]);
    expect(mergeThreads(base, local, remote).messages).toEqual([msg('a', 'final', { status: 'done' })]);
  });

  it('prefers local when both sides changed the same field differently', () => {
    const base = thread([msg('a', 'x')], { title: 'old' });
    const local = thread([msg('a', 'mine')], { title: 'local title' });
    const remote = thread([msg('a', 'theirs')], { title: 'remote title' });
    const merged = mergeThreads(base, local, remote);
    expect(merged.messages[0]!.content).toBe('mine');
    expect(merged.title).toBe('local title');
  });

  it('lets a delete win over an edit on the other side, as the server does', () => {
    const base = thread([msg('a'), msg('b')]);
    const editedA = thread([msg('a', 'edited'), msg('b')]);
    const deletedA = thread([msg('b')]);
    expect(ids(mergeThreads(base, editedA, deletedA))).toEqual(['b']);
    expect(ids(mergeThreads(base, deletedA, editedA))).toEqual(['b']);
  });

  it('places concurrent appends remote first, then local, as the server will order them', () => {
    const base = thread([msg('a')]);
    const local = thread([msg('a'), msg('l1'), msg('l2')]);
    const remote = thread([msg('a'), msg('r1')]);
    expect(ids(mergeThreads(base, local, remote))).toEqual(['a', 'r1', 'l1', 'l2']);
  });

  it('inserts a local message after its nearest surviving predecessor', () => {
    const base = thread([msg('a'), msg('b'), msg('c')]);
    const local = thread([msg('a'), msg('b'), msg('l1'), msg('c')]);
    const remote = thread([msg('a'), msg('c'), msg('r1')]); // remote deleted b
    expect(ids(mergeThreads(base, local, remote))).toEqual(['a', 'l1', 'c', 'r1']);
    const atStart = thread([msg('l0'), msg('a'), msg('b'), msg('c')]);
    expect(ids(mergeThreads(base, atStart, remote))).toEqual(['l0', 'a', 'c', 'r1']);
  });

  it('takes the higher v, createdAt from base (or remote), and merges meta per key', () => {
    const base = thread([], { v: 3, createdAt: 1, meta: { model: 'a', tags: ['x'], gone: 1 } });
    const local = thread([], { v: 5, createdAt: 2, meta: { model: 'b', tags: ['x'], gone: 1 } });
    const remote = thread([], { v: 4, createdAt: 3, meta: { model: 'a', tags: ['x', 'y'], added: true } });
    expect(mergeThreads(base, local, remote)).toEqual({
      id: 't',
      v: 5,
      createdAt: 1,
      messages: [],
      meta: { model: 'b', tags: ['x', 'y'], added: true },
    });
    expect(mergeThreads(undefined, local, remote).createdAt).toBe(3);
  });

  it('merges meta keys named like Object.prototype members as ordinary keys', () => {
    const meta = (entries: Array<[string, unknown]>) => Object.fromEntries(entries) as Record<string, unknown>;
    const base = thread([], { meta: meta([['constructor', 1]]) });
    const local = thread([], { meta: meta([['constructor', 2], ['__proto__', { polluted: true }]]) });
    const remote = thread([], { meta: meta([['constructor', 1], ['toString', 'x']]) });
    const merged = mergeThreads(base, local, remote).meta!;
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(merged.constructor).toBe(2);
    expect(merged.toString).toBe('x');
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('without base, keeps every message of both sides and prefers local on conflicts', () => {
    const local = thread([msg('a', 'mine'), msg('l')], { title: 'L' });
    const remote = thread([msg('a', 'theirs'), msg('r')], { title: 'R' });
    const merged = mergeThreads(undefined, local, remote);
    expect(merged.messages).toEqual([msg('a', 'mine'), msg('r'), msg('l')]);
    expect(merged.title).toBe('L');
  });

  it('never returns the input message objects, so changing the result changes no input', () => {
    const m = msg('a');
    const merged = mergeThreads(undefined, thread([m]), thread([m]));
    expect(merged.messages[0]).toEqual(m);
    expect(merged.messages[0]).not.toBe(m);
  });

  it('refuses to merge two different threads', () => {
    expect(() => mergeThreads(undefined, thread([]), thread([], { id: 'other' }))).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------- properties

type Op =
  | { t: 'del'; i: number }
  | { t: 'edit'; i: number; content: string }
  | { t: 'status'; i: number; status: Message['status'] }
  | { t: 'add'; at: number; id: string; content: string }
  | { t: 'title'; title: string | undefined }
  | { t: 'meta'; key: string; value: unknown };

const content = fc.constantFrom('', 'a', 'b', 'hello', 'ok');
const status = fc.constantFrom<Message['status']>(undefined, 'streaming', 'done', 'error');
const metaValue = fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 2 }), fc.constant(['x']));
const metaKey = fc.constantFrom('k1', 'k2', 'k3');

function opArb(side: 'l' | 'r'): fc.Arbitrary<Op> {
  const index = fc.nat({ max: 12 });
  // `s*` ids may be added by both sides: the same message arriving from two places.
  const newId = fc.oneof(fc.nat({ max: 4 }).map((n) => `${side}${n}`), fc.nat({ max: 2 }).map((n) => `s${n}`));
  return fc.oneof(
    fc.record({ t: fc.constant('del' as const), i: index }),
    fc.record({ t: fc.constant('edit' as const), i: index, content }),
    fc.record({ t: fc.constant('status' as const), i: index, status }),
    fc.record({ t: fc.constant('add' as const), at: index, id: newId, content }),
    fc.record({ t: fc.constant('title' as const), title: fc.option(content, { nil: undefined }) }),
    fc.record({ t: fc.constant('meta' as const), key: metaKey, value: metaValue }),
  );
}

function withField<T extends object>(record: T, key: string, value: unknown): T {
  const copy = { ...record } as Record<string, unknown>;
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy as T;
}

/** One side's version: base with its ops applied. Never changes the relative order of base. */
function apply(base: Thread, ops: Op[], vBump: number): Thread {
  let t: Thread = structuredClone(base);
  for (const op of ops) {
    const n = t.messages.length;
    if (op.t === 'del' && n > 0) t.messages.splice(op.i % n, 1);
    if (op.t === 'edit' && n > 0) t.messages[op.i % n] = { ...t.messages[op.i % n]!, content: op.content };
    if (op.t === 'status' && n > 0) t.messages[op.i % n] = withField(t.messages[op.i % n]!, 'status', op.status);
    if (op.t === 'add' && !t.messages.some((m) => m.id === op.id)) {
      t.messages.splice(op.at % (n + 1), 0, { id: op.id, role: 'assistant', content: op.content, createdAt: 9 });
    }
    if (op.t === 'title') t = withField(t, 'title', op.title);
    if (op.t === 'meta') t = withField(t, 'meta', withField(t.meta ?? {}, op.key, op.value));
  }
  t.v = base.v + vBump;
  return t;
}

const baseArb: fc.Arbitrary<Thread> = fc
  .record({
    count: fc.nat({ max: 6 }),
    contents: fc.array(content, { minLength: 6, maxLength: 6 }),
    statuses: fc.array(status, { minLength: 6, maxLength: 6 }),
    v: fc.nat({ max: 100 }),
    title: fc.option(content, { nil: undefined }),
    meta: fc.option(fc.dictionary(metaKey, fc.integer({ min: 0, max: 2 })), { nil: undefined }),
  })
  .map(({ count, contents, statuses, v, title, meta }) => {
    let t: Thread = {
      id: 't',
      v,
      createdAt: 50,
      messages: Array.from({ length: count }, (_, i) =>
        withField<Message>({ id: `b${i}`, role: 'user', content: contents[i]!, createdAt: i }, 'status', statuses[i]),
      ),
    };
    t = withField(t, 'title', title);
    return withField(t, 'meta', meta);
  });

const sideArb = (side: 'l' | 'r') =>
  fc.record({ ops: fc.array(opArb(side), { maxLength: 8 }), vBump: fc.nat({ max: 5 }) });

const scenario = fc
  .record({ base: baseArb, l: sideArb('l'), r: sideArb('r'), withBase: fc.boolean() })
  .map(({ base, l, r, withBase }) => ({
    base: withBase ? base : undefined,
    // Without a base both sides still grew from it: that is the usual case for a missing base.
    local: apply(base, l.ops, l.vBump),
    remote: apply(base, r.ops, r.vBump),
    origin: base,
  }));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('mergeThreads properties', () => {
  it('merging a version with itself gives it back: merge(b, x, x) = x', () => {
    fc.assert(
      fc.property(scenario, ({ base, local }) => {
        expect(mergeThreads(base, local, local)).toEqual(local);
      }),
    );
  });

  it('one side unchanged gives the other: merge(b, b, r) = r and merge(b, l, b) = l', () => {
    fc.assert(
      fc.property(scenario, ({ origin, local, remote }) => {
        expect(mergeThreads(origin, origin, remote)).toEqual(remote);
        expect(mergeThreads(origin, local, origin)).toEqual(local);
      }),
    );
  });

  it('keeps exactly the survivors, each once: new on either side, or in all three', () => {
    fc.assert(
      fc.property(scenario, ({ base, local, remote }) => {
        const merged = ids(mergeThreads(base, local, remote));
        const b = new Set(base ? ids(base) : []);
        const l = new Set(ids(local));
        const r = new Set(ids(remote));
        const expected = new Set([...l, ...r].filter((id) => !b.has(id) || (l.has(id) && r.has(id))));
        expect(new Set(merged).size).toBe(merged.length);
        expect(new Set(merged)).toEqual(expected);
      }),
    );
  });

  it('keeps remote’s order, and local’s order among local-only messages', () => {
    fc.assert(
      fc.property(scenario, ({ base, local, remote }) => {
        const merged = ids(mergeThreads(base, local, remote));
        const inMerged = (id: string) => merged.includes(id);
        expect(merged.filter((id) => ids(remote).includes(id))).toEqual(ids(remote).filter(inMerged));
        const localOnly = ids(local).filter((id) => !ids(remote).includes(id));
        expect(merged.filter((id) => localOnly.includes(id))).toEqual(localOnly.filter(inMerged));
      }),
    );
  });

  it('is deterministic and never mutates its inputs', () => {
    fc.assert(
      fc.property(scenario, ({ base, local, remote }) => {
        const snapshot = structuredClone({ base, local, remote });
        const first = mergeThreads(deepFreeze(base), deepFreeze(local), deepFreeze(remote));
        expect({ base, local, remote }).toEqual(snapshot);
        expect(mergeThreads(snapshot.base, snapshot.local, snapshot.remote)).toEqual(first);
      }),
    );
  });

  it('merges each field of a message kept by all three with the scalar rule', () => {
    fc.assert(
      fc.property(scenario, ({ base, local, remote }) => {
        if (!base) return;
        const merged = mergeThreads(base, local, remote);
        for (const m of merged.messages) {
          const [b, l, r] = [base, local, remote].map((t) => t.messages.find((x) => x.id === m.id));
          if (!b || !l || !r) continue;
          for (const key of ['content', 'status'] as const) {
            const want = l[key] === b[key] ? r[key] : l[key];
            expect(m[key]).toBe(want);
          }
        }
        expect(merged.v).toBe(Math.max(local.v, remote.v));
      }),
    );
  });
});
