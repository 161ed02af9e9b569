import { describe, expect, it } from 'vitest';
import type { Thread } from 'syncline';
import { coalesceEntries } from '../../../src/server/semantics/coalesceEntries.js';
import type { StoredEvent } from '../../../src/server/types.js';

const thread = (id: string, v: number): Thread => ({ id, v, messages: [], createdAt: 0 });
const t = (id: string, threadId: string, v: number): StoredEvent => ({ cursor: id, type: 'thread', threadId, v });
const d = (id: string, threadId: string, v: number, text = 'x'): StoredEvent => ({ cursor: id, type: 'delta', threadId, messageId: 'm', v, text });

describe('coalesceEntries', () => {
  it('folds every change of a thread with a non-delta entry into its latest snapshot', () => {
    const latest = { a: thread('a', 3), b: thread('b', 1) } as Record<string, Thread>;
    const events = coalesceEntries([t('1', 'a', 1), d('2', 'a', 2), t('3', 'b', 1), t('4', 'a', 3)], new Map(), '0', (id) => latest[id]);
    // b's event cannot claim entry 1 (a, not yet sent): its id stays at the start cursor.
    expect(events).toEqual([
      { type: 'thread', id: '0', thread: latest.b },
      { type: 'thread', id: '4', thread: latest.a },
    ]);
  });

  it('keeps a run of deltas as deltas and drops what was already sent', () => {
    const sent = new Map([['a', 2]]);
    const events = coalesceEntries([d('5', 'a', 2), d('6', 'a', 3, 'y'), d('7', 'a', 4, 'z')], sent, '4', () => undefined);
    expect(events.map((e) => e.type === 'delta' && [e.id, e.v, e.text])).toEqual([
      ['6', 3, 'y'],
      ['7', 4, 'z'],
    ]);
    expect(sent.get('a')).toBe(4);
    expect(coalesceEntries([t('8', 'a', 4)], sent, '7', () => thread('a', 4))).toEqual([]);
  });
});
