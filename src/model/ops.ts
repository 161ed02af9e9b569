import type { BaseMessage } from './types.js';

/*
 * Protocol v2's unit of change (docs/protocol.md): what one or more versions of a thread changed,
 * at message granularity, so that a write costs the size of the change on the wire, in the store
 * and in the client. The server derives ops from any mutator (built-in or the app's) by comparing
 * the thread before and after it (immer shares every part that did not change); clients and
 * stores apply them with `applyOps`.
 *
 * Every message op names the message's index `at` (in the thread as the preceding ops left it)
 * and its `id`: the index makes applying O(1) per op, the id checks it. An op whose index does
 * not hold that id, a path that does not exist, or an `append` to a value that is not a string
 * cannot be applied: the receiver pulls the thread instead (a gap), it never guesses.
 */

/** A path inside one message: object keys and array indices, e.g. `['parts', 2, 'text']`. `[]` is the message itself. */
export type OpPath = readonly (string | number)[];

export type ThreadOp =
  /** Insert `message` so that it ends up at index `at` (0 ≤ at ≤ messages.length). */
  | { op: 'insert'; at: number; message: BaseMessage }
  /** Remove the message at `at`, whose id is `id`. */
  | { op: 'remove'; at: number; id: string }
  /** Set the value at `path` inside the message at `at` (`path: []` replaces the message; its id stays `id`). */
  | { op: 'set'; at: number; id: string; path: OpPath; value: unknown }
  /** Delete the object key at `path` inside the message at `at` (`path` is never empty). */
  | { op: 'unset'; at: number; id: string; path: OpPath }
  /** Append `text` to the string at `path` inside the message at `at` (v1's `delta` is `path: ['content']`). */
  | { op: 'append'; at: number; id: string; path: OpPath; text: string }
  /** Set a field of the thread itself (`title`, `meta`, `createdAt`, an app's field), or delete it when `value` is absent. Never `id`, `v` or `messages`. */
  | { op: 'thread'; key: string; value?: unknown };

/** One version step or a run of them: applies only to the thread at exactly `fromV`, and leaves it at `v`. */
export interface ThreadPatch {
  threadId: string;
  fromV: number;
  v: number;
  ops: ThreadOp[];
}
