import { applyPatches, type ApplyOpsResult } from './applyOps.js';
import type { ThreadPatch } from './ops.js';
import type { Message, Thread } from './types.js';

/** A streamed append to one message, as carried by a v1 `delta` event. */
export interface ThreadDelta {
  messageId: string;
  v: number;
  text: string;
}

export type ApplyDeltasResult = ApplyOpsResult<Message>;

/**
 * Applies the contiguous run of deltas that follows `thread.v` (docs/protocol.md: a delta applies
 * only as the next version): each is protocol v2's `append` at `['content']`, applied as one run
 * of patches. Duplicates (v ≤ thread.v) are ignored; a missing version or a missing message stops
 * the run and reports a gap. Never mutates its input; a token on a 10 000-message thread costs
 * one array copy.
 */
export function applyDeltas(thread: Thread, deltas: readonly ThreadDelta[]): ApplyDeltasResult {
  const sorted = deltas.length === 1 ? deltas : [...deltas].sort((a, b) => a.v - b.v);
  const messages = thread.messages;
  const patches: ThreadPatch[] = [];
  let lastId: string | null = null;
  let at = -1;
  let missing: ThreadDelta | null = null;
  for (const delta of sorted) {
    if (delta.v <= thread.v) continue; // already applied
    if (delta.messageId !== lastId) {
      lastId = delta.messageId;
      // Streams append to the newest messages: search from the end. Appends move no message.
      at = -1;
      for (let i = messages.length - 1; i >= 0 && at < 0; i--) if (messages[i]!.id === delta.messageId) at = i;
    }
    // A message we do not hold was created in a version we have not seen: the run stops there.
    if (at < 0) {
      missing = delta;
      break;
    }
    const op = { op: 'append' as const, at, id: delta.messageId, path: ['content'], text: delta.text };
    patches.push({ threadId: thread.id, fromV: delta.v - 1, v: delta.v, ops: [op] });
  }
  const result = applyPatches(thread, patches);
  return missing && missing.v > result.thread.v ? { ...result, gap: true } : result;
}
