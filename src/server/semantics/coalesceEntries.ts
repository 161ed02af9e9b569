import type { Thread } from '../../model/types.js';
import type { ServerEvent } from '../../protocol/wire.js';
import type { StoredEvent } from '../types.js';

/**
 * Turns the log entries queued for one stream into the events it sends.
 *
 * Every change of a thread that has at least one non-delta entry in the batch goes out as ONE
 * `thread` event with its latest snapshot: a 10 000-write burst must not serialise a growing
 * thread 10 000 times. A thread with deltas only keeps them as deltas (each is small and the
 * client appends them). `sentV` (per stream) drops anything not newer than what was sent.
 *
 * Ids stay honest under coalescing: an event's id is the newest cursor such that every entry up
 * to it has been sent (or folded into a sent snapshot), so resuming from it loses nothing.
 */
export function coalesceEntries(
  entries: readonly StoredEvent[],
  sentV: Map<string, number>,
  startCursor: string,
  snapshot: (threadId: string) => Thread | undefined,
): ServerEvent[] {
  const whole = new Map<string, number[]>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.type === 'thread' && !whole.has(e.threadId)) whole.set(e.threadId, []);
  }
  for (let i = 0; i < entries.length; i++) whole.get(entries[i]!.threadId)?.push(i);

  const done = new Uint8Array(entries.length);
  let prefix = 0;
  const cursor = () => {
    while (prefix < entries.length && done[prefix]) prefix++;
    return prefix === 0 ? startCursor : entries[prefix - 1]!.cursor;
  };
  const out: ServerEvent[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const sent = sentV.get(e.threadId) ?? -1;
    const group = whole.get(e.threadId);
    if (!group) {
      done[i] = 1;
      if (e.type !== 'delta' || e.v <= sent) continue;
      sentV.set(e.threadId, e.v);
      out.push({ type: 'delta', id: cursor(), threadId: e.threadId, messageId: e.messageId, v: e.v, text: e.text });
      continue;
    }
    if (group[group.length - 1] !== i) continue;
    for (const j of group) done[j] = 1;
    const thread = snapshot(e.threadId);
    if (!thread || thread.v <= sent) continue;
    sentV.set(e.threadId, thread.v);
    out.push({ type: 'thread', id: cursor(), thread });
  }
  return out;
}

/**
 * How long a stream waits before its next flush. A thread event carries the whole thread: after
 * a heavy flush (a bulk drain into long threads) the next waits about 1 ms per 20 messages sent,
 * up to a second, so open streams are not flooded with snapshots; small changes still go out
 * within `minMs`.
 */
export function nextFlushDelay(sent: readonly ServerEvent[], minMs: number): number {
  const messages = sent.reduce((n, e) => n + (e.type === 'thread' ? e.thread.messages.length : 0), 0);
  return Math.max(minMs, Math.min(1000, Math.round(messages / 20)));
}
