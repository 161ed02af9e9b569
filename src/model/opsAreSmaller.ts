import type { ThreadOp } from './ops.js';
import type { BaseMessage, Thread } from './types.js';

/**
 * Whether `ops` are shorter as JSON than `thread`: the server sends a patch only then, else the
 * thread (docs/protocol.md, "Protocol v2"). Measures the thread one message at a time and stops
 * once it is longer than the ops, so on a long thread the cost is the size of the ops, not of the
 * thread. Lengths are UTF-16 units, which rank two JSON texts the same as bytes do closely enough.
 */
export function opsAreSmaller(ops: readonly ThreadOp[], thread: Thread<BaseMessage>): boolean {
  const size = JSON.stringify(ops).length;
  let total = JSON.stringify({ ...thread, messages: [] }).length;
  for (const message of thread.messages) {
    if (total > size) return true;
    total += JSON.stringify(message).length + 1;
  }
  return total > size;
}
