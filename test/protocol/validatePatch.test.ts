import { describe, expect, it } from 'vitest';
import { isSyncError } from 'syncline';
import { parsePullResponse, parseServerEvent } from '../../src/protocol/validate.js';

const good = { threadId: 't1', fromV: 3, v: 4, ops: [{ op: 'append', at: 0, id: 'm1', path: ['content'], text: 'x' }] };
const withOp = (op: unknown) => ({ ...good, ops: [op] });

function refused(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isSyncError(error) && error.kind === 'protocol' && error.retryable).toBe(true);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('protocol v2 patches are validated op by op', () => {
  it('accepts every op kind, on the stream and in a pull answer', () => {
    const ops = [
      { op: 'insert', at: 0, message: { id: 'm2', role: 'user', content: '', createdAt: 1 } },
      { op: 'remove', at: 1, id: 'm2' },
      { op: 'set', at: 0, id: 'm1', path: ['parts', 0, 'text'], value: null },
      { op: 'set', at: 0, id: 'm1', path: [], value: { id: 'm1' } },
      { op: 'unset', at: 0, id: 'm1', path: ['status'] },
      { op: 'append', at: 0, id: 'm1', path: ['content'], text: '' },
      { op: 'thread', key: 'title', value: 'T' },
      { op: 'thread', key: 'meta' },
    ];
    const patch = { ...good, ops };
    expect(parseServerEvent('patch', JSON.stringify(patch), '5')).toEqual({ type: 'patch', id: '5', patch });
    expect(parsePullResponse({ cursor: 'c', threads: [], patches: [patch] })).toEqual({ cursor: 'c', threads: [], patches: [patch] });
    expect(parsePullResponse({ cursor: 'c', threads: [] })).toEqual({ cursor: 'c', threads: [] });
  });

  const bad: Array<[string, unknown]> = [
    ['not an object', 'patch'],
    ['no threadId', { ...good, threadId: '' }],
    ['a fractional fromV', { ...good, fromV: 1.5 }],
    ['a v not above fromV', { ...good, v: 3 }],
    ['ops that are no array', { ...good, ops: {} }],
    ['an unknown op kind', withOp({ op: 'move', at: 0, id: 'm1' })],
    ['an op that is no object', withOp(7)],
    ['a negative index', withOp({ op: 'remove', at: -1, id: 'm1' })],
    ['a fractional index', withOp({ op: 'remove', at: 0.5, id: 'm1' })],
    ['an index as a string', withOp({ op: 'remove', at: '0', id: 'm1' })],
    ['a message op without id', withOp({ op: 'remove', at: 0 })],
    ['an insert of no message', withOp({ op: 'insert', at: 0, message: { role: 'user' } })],
    ['an insert of a message with a bad role', withOp({ op: 'insert', at: 0, message: { id: 'm', role: 'robot' } })],
    ['a set without value', withOp({ op: 'set', at: 0, id: 'm1', path: ['a'] })],
    ['a set with a path of objects', withOp({ op: 'set', at: 0, id: 'm1', path: [{}], value: 1 })],
    ['a set with a negative path index', withOp({ op: 'set', at: 0, id: 'm1', path: [-1], value: 1 })],
    ['a message replaced by no message', withOp({ op: 'set', at: 0, id: 'm1', path: [], value: 'x' })],
    ['an unset of the message itself', withOp({ op: 'unset', at: 0, id: 'm1', path: [] })],
    ['an append without text', withOp({ op: 'append', at: 0, id: 'm1', path: ['content'] })],
    ['an append to the message itself', withOp({ op: 'append', at: 0, id: 'm1', path: [], text: 'x' })],
    ['a thread op on the id', withOp({ op: 'thread', key: 'id', value: 'x' })],
    ['a thread op on the version', withOp({ op: 'thread', key: 'v', value: 9 })],
    ['a thread op on the messages', withOp({ op: 'thread', key: 'messages', value: [] })],
    ['a thread op without key', withOp({ op: 'thread', value: 1 })],
  ];
  it.each(bad)('refuses a patch with %s as a protocol error', (_, patch) => {
    expect(refused(() => parseServerEvent('patch', JSON.stringify(patch), '5'))).toMatch(/GET \/events: .*patch/);
    expect(refused(() => parsePullResponse({ cursor: 'c', threads: [], patches: [patch] }))).toMatch(/POST \/pull/);
  });

  it('refuses patches that are no array, and a patch event without a cursor', () => {
    refused(() => parsePullResponse({ cursor: 'c', threads: [], patches: {} }));
    refused(() => parseServerEvent('patch', JSON.stringify(good), undefined));
  });
});
