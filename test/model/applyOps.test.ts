import { describe, expect, it } from 'vitest';
import { applyOps, applyPatches } from '../../src/model/applyOps.js';
import type { ThreadOp } from '../../src/model/ops.js';
import { appMessage, appThread, type AppMessage } from './appLikeMutators.js';

const base = () =>
  appThread(3, [appMessage('m1', 'Hi'), { ...appMessage('m2', 'x'), parts: [{ type: 'text', text: 'a' }] }, appMessage('m3')], { title: 't' });

describe('applyOps', () => {
  it('applies every kind of op in order, indices as the earlier ops left them', () => {
    const t = base();
    const streaming: AppMessage = { ...appMessage('m0', 'new'), status: 'streaming' };
    const ops: ThreadOp[] = [
      { op: 'insert', at: 0, message: streaming },
      { op: 'append', at: 1, id: 'm1', path: ['content'], text: '!' },
      { op: 'set', at: 2, id: 'm2', path: ['parts', 0, 'text'], value: 'b' },
      { op: 'set', at: 2, id: 'm2', path: ['parts', 1], value: { type: 'tool', text: '' } },
      { op: 'unset', at: 0, id: 'm0', path: ['status'] },
      { op: 'remove', at: 3, id: 'm3' },
      { op: 'thread', key: 'title', value: 'T' },
      { op: 'thread', key: 'meta', value: { k: 1 } },
    ];
    const { thread, gap } = applyOps(t, { threadId: 't1', fromV: 3, v: 4, ops });
    expect(gap).toBe(false);
    expect(thread).toEqual({
      ...t,
      v: 4,
      title: 'T',
      meta: { k: 1 },
      messages: [appMessage('m0', 'new'), appMessage('m1', 'Hi!'), { ...appMessage('m2', 'x'), parts: [{ type: 'text', text: 'b' }, { type: 'tool', text: '' }] }],
    });
    // the op's own message was copied before its field was deleted
    expect(ops[0]).toMatchObject({ message: { status: 'streaming' } });
  });

  it('never mutates its input and copies only what an op touched', () => {
    const t = base();
    const { thread } = applyOps(t, [{ op: 'append', at: 1, id: 'm2', path: ['parts', 0, 'text'], text: 'z' }]);
    expect(Object.isFrozen(t.messages[1])).toBe(true);
    expect(t.messages[1]!.parts![0]!.text).toBe('a');
    expect(thread.messages[1]!.parts![0]!.text).toBe('az');
    expect(thread.messages[0]).toBe(t.messages[0]);
    expect(thread.messages[2]).toBe(t.messages[2]);
    expect(thread.messages).not.toBe(t.messages);
    // thread-field ops alone leave the messages array as it was
    expect(applyOps(t, [{ op: 'thread', key: 'title' }]).thread.messages).toBe(t.messages);
    expect(applyOps(t, [{ op: 'thread', key: 'title' }]).thread).not.toHaveProperty('title');
  });

  it('applies a patch only at its fromV; one it already holds is no gap', () => {
    const t = base();
    const ops: ThreadOp[] = [{ op: 'thread', key: 'title', value: 'T' }];
    expect(applyOps(t, { threadId: 't1', fromV: 2, v: 3, ops })).toEqual({ thread: t, gap: false });
    expect(applyOps(t, { threadId: 't1', fromV: 4, v: 5, ops })).toEqual({ thread: t, gap: true });
    expect(applyOps(t, { threadId: 'other', fromV: 3, v: 4, ops })).toEqual({ thread: t, gap: true });
    expect(applyOps(t, { threadId: 't1', fromV: 3, v: 6, ops }).thread.v).toBe(6);
  });

  const gaps: Array<[string, ThreadOp]> = [
    ['an index that does not hold the id', { op: 'remove', at: 0, id: 'm2' }],
    ['an index past the end', { op: 'set', at: 3, id: 'm3', path: ['content'], value: '' }],
    ['a negative or fractional index', { op: 'remove', at: -1, id: 'm3' }],
    ['a fractional index', { op: 'insert', at: 0.5, message: appMessage('m9') }],
    ['an insert past the end', { op: 'insert', at: 4, message: appMessage('m9') }],
    ['an insert of a message held already', { op: 'insert', at: 3, message: appMessage('m2') }],
    ['a path that does not exist', { op: 'set', at: 1, id: 'm2', path: ['nope', 'deeper'], value: 1 }],
    ['a path through a string', { op: 'set', at: 1, id: 'm2', path: ['content', 'x'], value: 1 }],
    ['a path into the prototype', { op: 'set', at: 1, id: 'm2', path: ['constructor', 'name'], value: 1 }],
    ['an array index past the end', { op: 'set', at: 1, id: 'm2', path: ['parts', 5], value: 1 }],
    ['a string key on an array', { op: 'set', at: 1, id: 'm2', path: ['parts', 'length'], value: 0 }],
    ['an unset of a missing key', { op: 'unset', at: 1, id: 'm2', path: ['missing'] }],
    ['an unset inside an array', { op: 'unset', at: 1, id: 'm2', path: ['parts', 0] }],
    ['an append to a number', { op: 'append', at: 0, id: 'm1', path: ['createdAt'], text: '1' }],
    ['an append to a missing key', { op: 'append', at: 0, id: 'm1', path: ['status'], text: 'x' }],
    ['a message replaced under another id', { op: 'set', at: 0, id: 'm1', path: [], value: appMessage('m7') }],
    ['a thread op on the version', { op: 'thread', key: 'v', value: 9 }],
    ['a thread op on the messages', { op: 'thread', key: 'messages', value: [] }],
  ];
  it.each(gaps)('reports a gap for %s and changes nothing', (_, bad) => {
    const t = base();
    const ops: ThreadOp[] = [{ op: 'append', at: 0, id: 'm1', path: ['content'], text: '!' }, bad];
    expect(applyOps(t, { threadId: 't1', fromV: 3, v: 4, ops })).toEqual({ thread: t, gap: true });
    expect(applyOps(t, ops).thread).toBe(t);
  });

  it('many inserts: each new id once, one held already or inserted twice is a gap, one removed may come back', () => {
    const t = base();
    const inserts: ThreadOp[] = Array.from({ length: 20 }, (_, i) => ({ op: 'insert', at: 3 + i, message: appMessage(`n${i}`) }));
    expect(applyOps(t, inserts).thread.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', ...inserts.map((_, i) => `n${i}`)]);
    expect(applyOps(t, [...inserts, { op: 'insert', at: 0, message: appMessage('n3') }]).gap).toBe(true);
    expect(applyOps(t, [...inserts, { op: 'insert', at: 0, message: appMessage('m1') }]).gap).toBe(true);
    const back = applyOps(t, [...inserts, { op: 'remove', at: 0, id: 'm1' }, { op: 'insert', at: 0, message: appMessage('m1', 'again') }]);
    expect(back.gap).toBe(false);
    expect(back.thread.messages[0]).toEqual(appMessage('m1', 'again'));
  });

  it('a message the ops change and change back keeps its object (memoised rows stay); one changed for good is new', () => {
    const t = base();
    const { thread } = applyOps(t, [
      { op: 'set', at: 0, id: 'm1', path: ['content'], value: 'other' },
      { op: 'set', at: 0, id: 'm1', path: ['content'], value: 'Hi' },
      { op: 'set', at: 2, id: 'm3', path: [], value: appMessage('m3', 'x') },
      { op: 'set', at: 2, id: 'm3', path: [], value: { ...t.messages[2]! } },
      { op: 'append', at: 1, id: 'm2', path: ['content'], text: '!' },
    ]);
    expect(thread.messages[0]).toBe(t.messages[0]);
    expect(thread.messages[2]).toBe(t.messages[2]);
    expect(thread.messages[1]).not.toBe(t.messages[1]);
    expect(thread.messages[1]!.content).toBe('x!');
  });

  it('replaces a whole message with path []', () => {
    const t = base();
    const { thread } = applyOps(t, [{ op: 'set', at: 2, id: 'm3', path: [], value: appMessage('m3', 'whole') }]);
    expect(thread.messages[2]).toEqual(appMessage('m3', 'whole'));
  });

  it('applyPatches: the run after thread.v in version order, duplicates skipped, a gap after it reported', () => {
    const t = base();
    const title = (v: number, value: string) => ({ threadId: 't1', fromV: v - 1, v, ops: [{ op: 'thread' as const, key: 'title', value }] });
    const run = applyPatches(t, [title(5, 'five'), title(3, 'dup'), title(4, 'four')]);
    expect(run).toMatchObject({ gap: false, thread: { v: 5, title: 'five' } });
    const gapped = applyPatches(t, [title(4, 'four'), title(7, 'seven')]);
    expect(gapped).toMatchObject({ gap: true, thread: { v: 4, title: 'four' } });
    expect(applyPatches(t, [title(3, 'old')])).toEqual({ thread: t, gap: false });
  });
});
