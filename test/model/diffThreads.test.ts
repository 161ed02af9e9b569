import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { produce } from 'immer';
import { applyOps } from '../../src/model/applyOps.js';
import { diffThreads } from '../../src/model/diffThreads.js';
import { opsAreSmaller } from '../../src/model/opsAreSmaller.js';
import { builtinMutators } from '../../src/model/mutators.js';
import type { Thread } from '../../src/model/types.js';
import { appMessage, appThread, applyStep, step, type AppThread } from './appLikeMutators.js';

const roundTrip = (before: AppThread, after: AppThread) => {
  const ops = diffThreads(before, after);
  // what the wire carries: JSON, not shared objects
  const { thread, gap } = applyOps(before, JSON.parse(JSON.stringify(ops)));
  expect(gap).toBe(false);
  // ops carry no version: a patch does (fromV → v)
  expect({ ...thread, v: after.v }).toEqual(after);
  return ops;
};

describe('diffThreads', () => {
  it('gives no ops for the same thread and for a version bump alone', () => {
    const t = appThread(1, [appMessage('m1', 'a')]);
    expect(diffThreads(t, t)).toEqual([]);
    expect(diffThreads(t, produce(t, (d) => void (d.v = 2)))).toEqual([]);
  });

  it('turns appendDelta into one append at content', () => {
    const t = appThread(1, [appMessage('m1', 'Hel'), appMessage('m2', 'x')]);
    const after = produce(t, (d) => builtinMutators.appendDelta!(d as Thread, { messageId: 'm1', text: 'lo' }));
    expect(roundTrip(t, after)).toEqual([{ op: 'append', at: 0, id: 'm1', path: ['content'], text: 'lo' }]);
  });

  it('turns each built-in into the op that says what it did', () => {
    const t = appThread(1, [appMessage('m1', 'a'), appMessage('m2', 'b')], { title: 'old' });
    const run = (name: string, args: unknown) => roundTrip(t, produce(t, (d) => builtinMutators[name]!(d as Thread, args)));
    expect(run('addMessage', { message: appMessage('m3', 'c') })).toEqual([{ op: 'insert', at: 2, message: appMessage('m3', 'c') }]);
    expect(run('editMessage', { messageId: 'm2', content: 'B' })).toEqual([{ op: 'set', at: 1, id: 'm2', path: ['content'], value: 'B' }]);
    expect(run('deleteMessage', { messageId: 'm1' })).toEqual([{ op: 'remove', at: 0, id: 'm1' }]);
    expect(run('setTitle', { title: 'new' })).toEqual([{ op: 'thread', key: 'title', value: 'new' }]);
  });

  it('goes to the deepest changed path, pushes items one by one and sets a shrunk array whole', () => {
    const t = appThread(1, [{ ...appMessage('m1'), parts: [{ type: 'text', text: 'a' }, { type: 'tool', text: '' }] }]);
    const grown = produce(t, (d) => {
      d.messages[0]!.parts![1]!.text += 'call';
      d.messages[0]!.parts!.push({ type: 'text', text: 'z' });
    });
    expect(roundTrip(t, grown)).toEqual([
      { op: 'append', at: 0, id: 'm1', path: ['parts', 1, 'text'], text: 'call' },
      { op: 'set', at: 0, id: 'm1', path: ['parts', 2], value: { type: 'text', text: 'z' } },
    ]);
    const shrunk = produce(t, (d) => void d.messages[0]!.parts!.shift());
    expect(roundTrip(t, shrunk)).toEqual([{ op: 'set', at: 0, id: 'm1', path: ['parts'], value: [{ type: 'tool', text: '' }] }]);
    const unset = produce(t, (d) => void delete d.messages[0]!.parts);
    expect(roundTrip(t, unset)).toEqual([{ op: 'unset', at: 0, id: 'm1', path: ['parts'] }]);
  });

  it('moves a message as a remove and an insert, and deletes a thread field', () => {
    const t = appThread(1, ['a', 'b', 'c', 'd'].map((id) => appMessage(id)), { title: 't', meta: { k: 1 } });
    const after = produce(t, (d) => {
      const [b] = d.messages.splice(1, 1);
      d.messages.push(b!);
      delete d.title;
    });
    expect(roundTrip(t, after)).toEqual([
      { op: 'thread', key: 'title' },
      { op: 'remove', at: 1, id: 'b' },
      { op: 'insert', at: 3, message: t.messages[1] },
    ]);
  });

  it('treats __proto__ as an ordinary key of the app data', () => {
    const json = (extra: string): AppThread => JSON.parse(`{"id":"t1","v":1,"createdAt":1,"messages":[{"id":"m1","role":"user","content":"","createdAt":1,"extra":${extra}}]}`);
    const after = json('{"__proto__":{"x":2}}');
    roundTrip(json('{"__proto__":{"x":1}}'), after);
    const { thread } = applyOps(json('{}'), diffThreads(json('{}'), after));
    expect(Object.getPrototypeOf(thread.messages[0]!.extra)).toBe(Object.prototype);
    expect(Object.hasOwn(thread.messages[0]!.extra!, '__proto__')).toBe(true);
  });

  it('applying the diff gives the thread any mix of built-in and app mutators made', () => {
    fc.assert(
      fc.property(fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { maxLength: 25 }), (versions) => {
        const first = appThread(0, [appMessage('m0', 'hi'), appMessage('m1')]);
        let before = first;
        for (const steps of versions) {
          const after = produce(before, (d) => {
            d.v += 1;
            for (const s of steps) applyStep(d, s);
          });
          const ops = roundTrip(before, after);
          // and as one patch, as the stream sends it
          expect(applyOps(before, { threadId: 't1', fromV: before.v, v: after.v, ops })).toEqual({ thread: after, gap: false });
          before = after;
        }
        // a catch-up over several versions at once
        roundTrip(first, before);
      }),
      { numRuns: 300 },
    );
  });

  it('appendDelta on a 10 000-message thread gives one small op', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => appMessage(`m${i}`, 'x'.repeat(2000)));
    const t = appThread(1, messages);
    const after = produce(t, (d) => {
      d.v += 1;
      builtinMutators.appendDelta!(d as Thread, { messageId: 'm9999', text: 'tok' });
    });
    const ops = diffThreads(t, after);
    expect(ops).toEqual([{ op: 'append', at: 9999, id: 'm9999', path: ['content'], text: 'tok' }]);
    expect(JSON.stringify(ops).length).toBeLessThan(100);
    expect(opsAreSmaller(ops, after)).toBe(true);
  });
});

describe('opsAreSmaller', () => {
  it('says when the thread is the shorter answer', () => {
    const t = appThread(1, [appMessage('m1', 'a')]);
    const big = [{ op: 'set' as const, at: 0, id: 'm1', path: ['content'], value: 'y'.repeat(500) }];
    expect(opsAreSmaller(big, t)).toBe(false);
    expect(opsAreSmaller([{ op: 'thread', key: 'title' }], appThread(1, [appMessage('m1', 'y'.repeat(500))]))).toBe(true);
  });
});
