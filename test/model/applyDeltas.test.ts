import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { produce } from 'immer';
import { applyDeltas, type ThreadDelta } from '../../src/model/applyDeltas.js';
import type { Message, Thread } from '../../src/model/types.js';
import { seededRandom } from 'syncline/testing';

const message = (id: string, content = ''): Message => ({ id, role: 'assistant', content, createdAt: 1 });

function thread(v: number, messages: Message[]): Thread {
  // frozen like the store's immer objects: any mutation throws
  return produce({ id: 't1', v: 0, messages: [], createdAt: 1 } as Thread, (d) => {
    d.v = v;
    d.messages = messages;
  });
}

const d = (v: number, messageId: string, text: string): ThreadDelta => ({ v, messageId, text });

describe('applyDeltas', () => {
  it('appends the contiguous run after thread.v, in version order', () => {
    const t = thread(3, [message('m1', 'Hi'), message('m2', '')]);
    const { thread: next, gap } = applyDeltas(t, [d(5, 'm2', ' world'), d(4, 'm2', 'hello'), d(6, 'm1', '!')]);
    expect(gap).toBe(false);
    expect(next.v).toBe(6);
    expect(next.messages.map((m) => m.content)).toEqual(['Hi!', 'hello world']);
  });

  it('ignores duplicates and returns the input when nothing applies', () => {
    const t = thread(5, [message('m1', 'abc')]);
    const result = applyDeltas(t, [d(5, 'm1', 'x'), d(2, 'm1', 'y')]);
    expect(result).toEqual({ thread: t, gap: false });
    expect(result.thread).toBe(t);
    expect(applyDeltas(t, []).thread).toBe(t);
    const once = applyDeltas(t, [d(6, 'm1', 'd'), d(6, 'm1', 'd')]);
    expect(once.thread.messages[0]!.content).toBe('abcd');
  });

  it('stops at a missing version and reports a gap', () => {
    const t = thread(1, [message('m1')]);
    const { thread: next, gap } = applyDeltas(t, [d(2, 'm1', 'a'), d(4, 'm1', 'c')]);
    expect(gap).toBe(true);
    expect(next.v).toBe(2);
    expect(next.messages[0]!.content).toBe('a');
  });

  it('stops at a delta for a message it does not have and reports a gap', () => {
    const t = thread(1, [message('m1')]);
    const { thread: next, gap } = applyDeltas(t, [d(2, 'm1', 'a'), d(3, 'm9', 'b'), d(4, 'm1', 'c')]);
    expect(gap).toBe(true);
    expect(next.v).toBe(2);
  });

  it('never mutates its input and shares untouched messages', () => {
    const t = thread(0, [message('m1', 'a'), message('m2', 'b')]);
    const deltas = [d(2, 'm2', 'y'), d(1, 'm2', 'x')];
    const { thread: next } = applyDeltas(t, deltas);
    expect(Object.isFrozen(t)).toBe(true);
    expect(t.messages[1]!.content).toBe('b');
    expect(deltas.map((x) => x.v)).toEqual([2, 1]);
    expect(next.messages[0]).toBe(t.messages[0]);
    expect(next.messages).not.toBe(t.messages);
    expect(next.id).toBe('t1');
  });

  it('is cheap on a 10 000-message thread: one array copy, one message replaced', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => message(`m${i}`, 'x'.repeat(50)));
    let t = thread(0, messages);
    for (let v = 1; v <= 200; v++) t = applyDeltas(t, [d(v, 'm9999', 'tok ')]).thread;
    expect(t.messages[9999]!.content).toBe('x'.repeat(50) + 'tok '.repeat(200));
    expect(t.messages[0]).toBe(messages[0]);
    expect(t.messages[5000]).toBe(messages[5000]);
    // a delta for an old message is found too
    t = applyDeltas(t, [d(201, 'm0', '!')]).thread;
    expect(t.messages[0]!.content.endsWith('!')).toBe(true);
  });

  it('2 000 deltas, duplicated, reordered and batched: exact once gaps are filled by pulls', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 200 }), (seed, maxBatch) => {
        const random = seededRandom(seed);
        const ids = ['m1', 'm2', 'm3'];
        // the server's history: version v appends text to one message
        const history = Array.from({ length: 2000 }, (_, i) => d(i + 1, ids[Math.floor(random() * 3)]!, `<${i + 1}>`));
        // each message's full content, and its length at every version: the server's state at v
        const full = new Map(ids.map((id) => [id, '']));
        const lengthAt = new Map(ids.map((id) => [id, [0]]));
        for (const h of history) {
          full.set(h.messageId, full.get(h.messageId)! + h.text);
          for (const id of ids) lengthAt.get(id)!.push(full.get(id)!.length);
        }
        const serverAt = (v: number): Thread =>
          thread(v, ids.map((id) => message(id, full.get(id)!.slice(0, lengthAt.get(id)![v]))));
        // the wire: every delta once, ~20 % duplicated, shuffled within a sliding window
        const wire = [...history, ...history.filter(() => random() < 0.2)];
        for (let i = wire.length - 1; i > 0; i--) {
          const j = Math.max(0, i - Math.floor(random() * 50));
          [wire[i], wire[j]] = [wire[j]!, wire[i]!];
        }
        let client = serverAt(0);
        let pulls = 0;
        let maxSeen = 0;
        for (let i = 0; i < wire.length; ) {
          const size = 1 + Math.floor(random() * maxBatch);
          const batch = wire.slice(i, i + size);
          i += size;
          for (const x of batch) maxSeen = Math.max(maxSeen, x.v);
          const result = applyDeltas(client, batch);
          client = result.thread;
          // what was applied is exactly the server's state at that version, never more or less
          expect(client).toEqual(serverAt(client.v));
          if (result.gap) {
            // the client pulls the thread: the server has at least every version it has sent
            pulls += 1;
            client = serverAt(maxSeen);
          }
        }
        expect(client.v).toBe(2000);
        expect(client).toEqual(serverAt(2000));
        expect(pulls).toBeLessThan(wire.length);
      }),
      { numRuns: 15 },
    );
  });

  it('a client that keeps unapplied deltas and retries them converges without pulls', () => {
    const random = seededRandom(99);
    const history = Array.from({ length: 2000 }, (_, i) => d(i + 1, i % 2 ? 'm1' : 'm2', String.fromCharCode(97 + (i % 26))));
    const wire = [...history, ...history.slice(0, 300)];
    for (let i = wire.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [wire[i], wire[j]] = [wire[j]!, wire[i]!];
    }
    let client = thread(0, [message('m1'), message('m2')]);
    let pending: ThreadDelta[] = [];
    for (let i = 0; i < wire.length; i += 37) {
      const result = applyDeltas(client, [...pending, ...wire.slice(i, i + 37)]);
      client = result.thread;
      pending = [...pending, ...wire.slice(i, i + 37)].filter((x) => x.v > client.v);
    }
    expect(client.v).toBe(2000);
    expect(pending).toEqual([]);
    expect(client.messages.find((m) => m.id === 'm1')!.content).toBe(history.filter((h) => h.messageId === 'm1').map((h) => h.text).join(''));
    expect(client.messages.find((m) => m.id === 'm2')!.content).toBe(history.filter((h) => h.messageId === 'm2').map((h) => h.text).join(''));
  });
});
