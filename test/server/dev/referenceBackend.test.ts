import { describe, expect, it } from 'vitest';
import { BackendRequestError, createFakeClock, createReferenceBackend } from 'syncline/testing';
import type { PushRequest, WireMutation } from 'syncline';

const msg = (id: string, role: 'user' | 'assistant' = 'user') => ({ message: { id, role, content: `c-${id}`, createdAt: 5 } });

function mutation(seq: number, name: string, args: unknown, threadId = 't1'): WireMutation {
  return { seq, id: `w${seq}`, threadId, name, args, createdAt: 1 };
}

function push(clientId: string, mutations: WireMutation[], epoch = 1): PushRequest {
  return { clientId, epoch, mutations };
}

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof BackendRequestError) return err.status;
    throw err;
  }
  return undefined;
}

describe('reference backend: push', () => {
  it('creates a missing thread empty at v 0, then applies: v grows by one per mutation', () => {
    const clock = createFakeClock({ now: 1000 });
    const backend = createReferenceBackend({ clock });
    const res = backend.push(push('a', [mutation(1, 'addMessage', msg('m1')), mutation(2, 'setTitle', { title: 'T' })]));
    expect(res).toEqual({
      lastSeq: 2,
      results: [
        { seq: 1, status: 'applied', v: 1 },
        { seq: 2, status: 'applied', v: 2 },
      ],
    });
    expect(backend.thread('t1')).toEqual({
      id: 't1',
      v: 2,
      title: 'T',
      createdAt: 1000,
      messages: [{ id: 'm1', role: 'user', content: 'c-m1', createdAt: 5 }],
    });
  });

  it('applies each (clientId, seq) exactly once; a repeat answers duplicate with the first v', () => {
    const backend = createReferenceBackend();
    backend.push(push('a', [mutation(1, 'addMessage', msg('m1')), mutation(2, 'addMessage', msg('m2'))]));
    const again = backend.push(push('a', [mutation(1, 'addMessage', msg('m1')), mutation(2, 'addMessage', msg('m2'))]));
    expect(again.results).toEqual([
      { seq: 1, status: 'duplicate', v: 1 },
      { seq: 2, status: 'duplicate', v: 2 },
    ]);
    expect(backend.thread('t1')?.v).toBe(2);
    expect(backend.applied.map((a) => [a.clientId, a.seq])).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
    // Another client's seq 1 is its own.
    expect(backend.push(push('b', [mutation(1, 'addMessage', msg('m3'))])).results[0]).toEqual({ seq: 1, status: 'applied', v: 3 });
  });

  it('a repeat of a rejected seq answers rejected with the first error, even if it would apply now', () => {
    const backend = createReferenceBackend();
    const first = backend.push(push('a', [mutation(1, 'editMessage', { messageId: 'm1', content: 'x' })]));
    expect(first.results[0]).toMatchObject({ status: 'rejected', error: { code: 'not-found' } });
    backend.push(push('b', [mutation(1, 'addMessage', msg('m1'))]));
    const again = backend.push(push('a', [mutation(1, 'editMessage', { messageId: 'm1', content: 'x' })]));
    expect(again.results[0]).toEqual(first.results[0]);
    expect(backend.thread('t1')?.messages[0]?.content).toBe('c-m1');
  });

  it('a never-seen seq below the highest answers out-of-order; gaps are legal', () => {
    const backend = createReferenceBackend();
    backend.push(push('a', [mutation(1, 'addMessage', msg('m1')), mutation(5, 'addMessage', msg('m5'))]));
    const res = backend.push(push('a', [mutation(3, 'addMessage', msg('m3')), mutation(6, 'addMessage', msg('m6'))]));
    expect(res.results[0]).toMatchObject({ seq: 3, status: 'rejected', error: { code: 'out-of-order' } });
    expect(res.results[1]).toEqual({ seq: 6, status: 'applied', v: 3 });
    expect(res.lastSeq).toBe(6);
    expect(backend.thread('t1')?.messages.map((m) => m.id)).toEqual(['m1', 'm5', 'm6']);
  });

  it('fences an older epoch with 409 and records a newer one', () => {
    const backend = createReferenceBackend();
    backend.push(push('a', [mutation(1, 'addMessage', msg('m1'))], 2));
    expect(statusOf(() => backend.push(push('a', [mutation(2, 'addMessage', msg('m2'))], 1)))).toBe(409);
    backend.push(push('a', [mutation(2, 'addMessage', msg('m2'))], 3));
    expect(statusOf(() => backend.push(push('a', [], 2)))).toBe(409);
    expect(backend.thread('t1')?.messages).toHaveLength(2);
    expect(backend.stats().fenced).toBe(2);
  });

  it('rejects a malformed push with 400 and applies none of it', () => {
    const backend = createReferenceBackend();
    for (const bad of [
      null,
      { clientId: 'a', epoch: 1 },
      { clientId: '', epoch: 1, mutations: [] },
      { clientId: 'a', epoch: -1, mutations: [] },
      push('a', [mutation(1, 'addMessage', msg('m1')), { ...mutation(2, 'setTitle', { title: 'x' }), seq: 0 }]),
      push('a', [{ ...mutation(1, 'addMessage', msg('m1')), threadId: 7 as unknown as string }]),
    ]) {
      expect(statusOf(() => backend.push(bad))).toBe(400);
    }
    expect(backend.threads()).toEqual([]);
  });

  it('idempotent addMessage still grows v; mutations of a missing message are rejected not-found', () => {
    const backend = createReferenceBackend();
    backend.push(push('a', [mutation(1, 'addMessage', msg('m1'))]));
    const res = backend.push(
      push('a', [
        mutation(2, 'addMessage', msg('m1')),
        mutation(3, 'editMessage', { messageId: 'nope', content: 'x' }),
        mutation(4, 'deleteMessage', { messageId: 'nope' }),
        mutation(5, 'appendDelta', { messageId: 'nope', text: 'x' }),
        mutation(6, 'addMessage', { message: { id: 'bad' } }),
      ]),
    );
    expect(res.results[0]).toEqual({ seq: 2, status: 'applied', v: 2 });
    expect(res.results.slice(1, 4).map((r) => r.status === 'rejected' && r.error.code)).toEqual([
      'not-found',
      'not-found',
      'not-found',
    ]);
    expect(res.results[4]).toMatchObject({ status: 'rejected', error: { code: 'invalid-args' } });
    expect(backend.thread('t1')).toMatchObject({ v: 2, messages: [{ id: 'm1' }] });
  });

  it('rejects an unknown mutator; custom mutators run on the server', () => {
    const backend = createReferenceBackend({
      mutators: { pin: (draft, args: { pinned: boolean }) => void (draft.meta = { pinned: args.pinned }) },
    });
    const res = backend.push(push('a', [mutation(1, 'explode', {}), mutation(2, 'pin', { pinned: true }), mutation(3, 'setMessageStatus', {})]));
    expect(res.results.map((r) => (r.status === 'rejected' ? r.error.code : r.status))).toEqual([
      'unknown-mutator',
      'applied',
      'unknown-mutator',
    ]);
    expect(backend.thread('t1')).toMatchObject({ v: 1, meta: { pinned: true } });
  });

  it('a rejected first mutation leaves no thread behind', () => {
    const backend = createReferenceBackend();
    backend.push(push('a', [mutation(1, 'deleteMessage', { messageId: 'x' })]));
    expect(backend.thread('t1')).toBeUndefined();
  });

  it('snapshots are frozen: a caller cannot change the server through them', () => {
    const backend = createReferenceBackend();
    const args = msg('m1');
    backend.push(push('a', [mutation(1, 'addMessage', args)]));
    args.message.content = 'changed by the caller';
    const thread = backend.thread('t1')!;
    expect(thread.messages[0]?.content).toBe('c-m1');
    expect(Object.isFrozen(thread) && Object.isFrozen(thread.messages) && Object.isFrozen(thread.messages[0])).toBe(true);
    const pulled = backend.pull({ clientId: 'a', threads: { t1: 0 } }).threads[0]!;
    expect(() => {
      (pulled as { v: number }).v = 99;
    }).toThrow(TypeError);
  });
});

describe('reference backend: pull', () => {
  it('returns only requested threads newer than known, and the log head as cursor', () => {
    const backend = createReferenceBackend();
    backend.push(push('a', [mutation(1, 'addMessage', msg('m1'), 't1'), mutation(2, 'addMessage', msg('m2'), 't2')]));
    backend.push(push('a', [mutation(3, 'setTitle', { title: 'x' }, 't2')]));
    const res = backend.pull({ clientId: 'b', threads: { t1: 1, t2: 1, t3: 0 } });
    expect(res.threads.map((t) => [t.id, t.v])).toEqual([['t2', 2]]);
    expect(res.cursor).toBe('3');
    expect(() => backend.pull({ clientId: 'b', threads: { t1: 'x' } })).toThrow(BackendRequestError);
  });
});

describe('reference backend: event log and server writes', () => {
  it('logs what each version changed (protocol v2 ops), with growing cursors', () => {
    const backend = createReferenceBackend();
    backend.push(push('a', [mutation(1, 'addMessage', msg('m1')), mutation(2, 'appendDelta', { messageId: 'm1', text: '!' })]));
    const read = backend.eventsSince('0');
    expect(read).toEqual({
      reset: false,
      head: '2',
      events: [
        { cursor: '1', type: 'patch', threadId: 't1', v: 1, ops: [{ op: 'insert', at: 0, message: msg('m1').message }] },
        { cursor: '2', type: 'patch', threadId: 't1', v: 2, ops: [{ op: 'append', at: 0, id: 'm1', path: ['content'], text: '!' }] },
      ],
    });
    expect(backend.eventsSince('1')).toMatchObject({ reset: false, events: [{ cursor: '2' }] });
    expect(backend.eventsSince(null)).toEqual({ reset: false, head: '2', events: [] });
  });

  it('answers reset for a cursor older than the kept log, from the future, or garbage', () => {
    const backend = createReferenceBackend({ logLimit: 3 });
    for (let seq = 1; seq <= 5; seq++) backend.push(push('a', [mutation(seq, 'setTitle', { title: `t${seq}` })]));
    expect(backend.eventsSince('1')).toEqual({ reset: true, head: '5' });
    expect(backend.eventsSince('2')).toMatchObject({ reset: false, events: [{ cursor: '3' }, { cursor: '4' }, { cursor: '5' }] });
    expect(backend.eventsSince('6')).toEqual({ reset: true, head: '5' });
    expect(backend.eventsSince('abc')).toEqual({ reset: true, head: '5' });
  });

  it('keeps a bounded log over many writes', () => {
    const backend = createReferenceBackend({ logLimit: 100 });
    for (let seq = 1; seq <= 5000; seq++) backend.push(push('a', [mutation(seq, 'setTitle', { title: `t${seq}` })]));
    const read = backend.eventsSince('4900');
    expect(read.reset === false && read.events.length).toBe(100);
    expect(backend.eventsSince('4899').reset).toBe(true);
  });

  it('notifies subscribers of every new entry', () => {
    const backend = createReferenceBackend();
    const seen: string[] = [];
    const off = backend.subscribe((e) => seen.push(`${e.cursor}:${e.type}`));
    backend.push(push('a', [mutation(1, 'addMessage', msg('m1'))]));
    backend.serverWrite('t1', 'appendDelta', { messageId: 'm1', text: '.' });
    off();
    backend.serverWrite('t1', 'setTitle', { title: 'x' });
    expect(seen).toEqual(['1:patch', '2:patch']);
  });

  it('serverWrite versions like a client write, and can finish a streaming message', () => {
    const backend = createReferenceBackend();
    const message = { id: 'r1', role: 'assistant', content: '', createdAt: 1, status: 'streaming' };
    expect(backend.serverWrite('t9', 'addMessage', { message })).toEqual({ status: 'applied', v: 1 });
    expect(backend.serverWrite('t9', 'appendDelta', { messageId: 'r1', text: 'Hi' })).toEqual({ status: 'applied', v: 2 });
    expect(backend.serverWrite('t9', 'setMessageStatus', { messageId: 'r1', status: 'done' })).toEqual({ status: 'applied', v: 3 });
    expect(backend.serverWrite('t9', 'setMessageStatus', { messageId: 'zz', status: 'done' })).toMatchObject({
      status: 'rejected',
      error: { code: 'not-found' },
    });
    expect(backend.thread('t9')?.messages[0]).toMatchObject({ content: 'Hi', status: 'done' });
    expect(backend.eventsSince('0')).toMatchObject({ events: [{ type: 'patch', v: 1 }, { type: 'patch', v: 2 }, { type: 'patch', v: 3 }] });
    expect(backend.applied.map((a) => a.clientId)).toEqual(['@server', '@server', '@server']);
  });
});
