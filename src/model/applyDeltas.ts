import type { Message, Thread } from './types.js';

/** A streamed append to one message, as carried by a `delta` event. */
export interface ThreadDelta {
  messageId: string;
  v: number;
  text: string;
}

export interface ApplyDeltasResult {
  /** The input thread itself when nothing applied. */
  thread: Thread;
  /** Some delta could not be applied because a version is missing: pull the thread. */
  gap: boolean;
}

/**
 * Applies the contiguous run of deltas that follows `thread.v` (docs/protocol.md: a delta applies only
 * as the next version). Duplicates (v ≤ thread.v) are ignored; a missing version or a missing
 * message stops the run and reports a gap. Never mutates its input (threads are frozen by immer);
 * copies the messages array once and only the touched messages, so a token on a 10 000-message
 * thread costs one array copy.
 */
export function applyDeltas(thread: Thread, deltas: readonly ThreadDelta[]): ApplyDeltasResult {
  const sorted = deltas.length === 1 ? deltas : [...deltas].sort((a, b) => a.v - b.v);
  const messages = thread.messages;
  /** message index -> its new content; materialised once at the end. */
  const contents = new Map<number, string>();
  let v = thread.v;
  let gap = false;
  let lastId: string | null = null;
  let lastIndex = -1;

  for (const delta of sorted) {
    if (delta.v <= v) continue; // already applied (or a duplicate within this batch)
    if (delta.v !== v + 1) {
      gap = true;
      break;
    }
    if (delta.messageId !== lastId) {
      lastId = delta.messageId;
      // Streams append to the newest messages: search from the end.
      lastIndex = -1;
      for (let i = messages.length - 1; i >= 0 && lastIndex < 0; i--) if (messages[i]!.id === delta.messageId) lastIndex = i;
    }
    if (lastIndex < 0) {
      // The message's creation is a version we have not seen: only a pull can repair this.
      gap = true;
      break;
    }
    contents.set(lastIndex, (contents.get(lastIndex) ?? messages[lastIndex]!.content) + delta.text);
    v = delta.v;
  }

  if (v === thread.v) return { thread, gap };
  const nextMessages: Message[] = messages.slice();
  for (const [index, content] of contents) nextMessages[index] = { ...messages[index]!, content };
  return { thread: { ...thread, v, messages: nextMessages }, gap };
}
