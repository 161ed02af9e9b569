import { deepEqual } from './deepEqual.js';
import { isRecord } from './isRecord.js';
import type { OpPath, ThreadOp, ThreadPatch } from './ops.js';
import type { BaseMessage, Thread } from './types.js';

export interface ApplyOpsResult<M extends BaseMessage = BaseMessage> {
  /** The input thread itself when nothing applied. */
  thread: Thread<M>;
  /** An op could not be applied (or the patch is not for the version held): pull the thread. */
  gap: boolean;
}

type Container = Record<string, unknown> | unknown[];

/** Thrown inside `applyOps` for an op it cannot apply; never leaves this module. */
const GAP = Symbol('gap');

/**
 * Applies ops (docs/protocol.md, "Protocol v2") to a thread without mutating it (threads are frozen
 * by immer). Copies only what changes: the messages array once, each touched message once and the
 * objects on the path to each touched value once, so a token on a 10 000-message thread costs one
 * array copy and one message.
 *
 * All or nothing: an op whose index does not hold its id, an insert of a message the thread
 * holds already, a path that does not exist, an `append` to a value that is not a string, or a
 * patch whose `fromV` is not the version held reports a gap and returns the input unchanged; the
 * receiver pulls instead of guessing. A patch the thread already holds (`v` ≤ `thread.v`) changes
 * nothing and is no gap: streams may repeat themselves.
 */
export function applyOps<M extends BaseMessage>(
  thread: Thread<M>,
  patchOrOps: ThreadPatch | readonly ThreadOp[],
): ApplyOpsResult<M> {
  const patch = isPatch(patchOrOps) ? patchOrOps : null;
  if (patch) {
    if (patch.v <= thread.v) return { thread, gap: false };
    if (patch.fromV !== thread.v || patch.threadId !== thread.id) return { thread, gap: true };
  }
  const ops = patch ? patch.ops : (patchOrOps as readonly ThreadOp[]);
  try {
    const next = applyAll(thread, ops);
    if (patch) next.v = patch.v;
    return { thread: next, gap: false };
  } catch (error) {
    if (error === GAP) return { thread, gap: true };
    throw error;
  }
}

function isPatch(value: ThreadPatch | readonly ThreadOp[]): value is ThreadPatch {
  return !Array.isArray(value);
}

function applyAll<M extends BaseMessage>(thread: Thread<M>, ops: readonly ThreadOp[]): Thread<M> {
  const next = { ...thread };
  let messages: BaseMessage[] | null = null;
  let ids: IdSet | null = null;
  // What this call created: those may be changed in place, anything else is copied first.
  const owned = new Set<object>();
  /** Each message this call copied or replaced → the message before the call. */
  const before = new Map<BaseMessage, BaseMessage>();
  for (const op of ops) {
    if (op.op === 'thread') {
      if (op.key === 'id' || op.key === 'v' || op.key === 'messages') throw GAP;
      if (op.value === undefined) delete (next as Record<string, unknown>)[op.key];
      else put(next as Record<string, unknown>, op.key, op.value);
      continue;
    }
    messages ??= thread.messages.slice();
    const { at } = op;
    if (!Number.isInteger(at) || at < 0) throw GAP;
    if (op.op === 'insert') {
      if (at > messages.length || !isRecord(op.message) || typeof op.message.id !== 'string') throw GAP;
      // A message held already: this copy is not the one the ops were made from.
      if ((ids ??= idsOf(messages)).holds(op.message.id)) throw GAP;
      ids.add(op.message.id);
      messages.splice(at, 0, op.message);
      continue;
    }
    const current = messages[at];
    if (!current || current.id !== op.id) throw GAP;
    if (op.op === 'remove') {
      messages.splice(at, 1);
      ids?.remove(op.id);
      continue;
    }
    if (op.path.length === 0) {
      if (op.op !== 'set' || !isRecord(op.value) || op.value.id !== op.id) throw GAP;
      const value = op.value as unknown as BaseMessage;
      before.set(value, before.get(current) ?? current);
      messages[at] = value;
      continue;
    }
    const message = writable(current, owned) as BaseMessage & Record<string, unknown>;
    if (message !== current) before.set(message, before.get(current) ?? current);
    messages[at] = message;
    const [container, key] = parentOf(message, op.path, owned);
    if (op.op === 'set') {
      if (Array.isArray(container) && (typeof key !== 'number' || key > container.length)) throw GAP;
      put(container, key, op.value);
    } else if (op.op === 'unset') {
      if (Array.isArray(container) || !Object.hasOwn(container, key)) throw GAP;
      delete container[key];
    } else {
      const text = read(container, key);
      if (typeof text !== 'string' || typeof op.text !== 'string') throw GAP;
      put(container, key, text + op.text);
    }
  }
  if (messages) {
    // A message the ops changed and changed back is the object it was: memoised rows stay.
    for (const [copy, was] of before) {
      const at = messages.lastIndexOf(copy);
      if (at >= 0 && deepEqual(copy, was)) messages[at] = was;
    }
    next.messages = messages as M[];
  }
  return next;
}

interface IdSet {
  holds(id: string): boolean;
  add(id: string): void;
  remove(id: string): void;
}

/**
 * The ids of a thread's messages as ops insert and remove them. A patch mostly inserts one
 * message: scanned from the end, newest first; past a few inserts (a catch-up) a Set is built once.
 */
function idsOf(messages: readonly BaseMessage[]): IdSet {
  let set: Set<string> | null = null;
  let scans = 0;
  return {
    holds(id) {
      if (!set && ++scans > 8) set = new Set(messages.map((m) => m.id));
      if (set) return set.has(id);
      for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.id === id) return true;
      return false;
    },
    add: (id) => void set?.add(id),
    remove: (id) => void set?.delete(id),
  };
}

/** The container that holds the last key of `path`, made writable along the way. */
function parentOf(message: Container, path: OpPath, owned: Set<object>): [Container, string | number] {
  let container = message;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const child = read(container, key);
    if (typeof child !== 'object' || child === null) throw GAP;
    const copy = writable(child as Container, owned);
    if (copy !== child) put(container, key, copy);
    container = copy;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(container) ? !isIndex(last) : typeof last !== 'string') throw GAP;
  return [container, last];
}

function isIndex(key: unknown): key is number {
  return typeof key === 'number' && Number.isInteger(key) && key >= 0;
}

/** An own value only: a path never reaches into a prototype. */
function read(container: Container, key: string | number): unknown {
  if (Array.isArray(container)) return isIndex(key) ? container[key] : undefined;
  return typeof key === 'string' && Object.hasOwn(container, key) ? container[key] : undefined;
}

function put(container: Container, key: string | number, value: unknown) {
  // `__proto__` is an ordinary key of the app's data, never the prototype.
  if (key === '__proto__') Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
  else (container as Record<string | number, unknown>)[key] = value;
}

function writable<T extends object>(value: T, owned: Set<object>): T {
  if (owned.has(value)) return value;
  const copy = (Array.isArray(value) ? value.slice() : { ...value }) as T;
  owned.add(copy);
  return copy;
}

/**
 * Applies the run of patches that follows `thread.v`, in version order, as one `applyOps` (one
 * copy of the messages array for a frame's worth of patches). Patches the thread already holds
 * are skipped; the first that does not start where the run ends stops it and reports a gap, after
 * the run before it was applied.
 */
export function applyPatches<M extends BaseMessage>(thread: Thread<M>, patches: readonly ThreadPatch[]): ApplyOpsResult<M> {
  const sorted = patches.length === 1 ? patches : [...patches].sort((a, b) => a.fromV - b.fromV || a.v - b.v);
  const ops: ThreadOp[] = [];
  let v = thread.v;
  let gap = false;
  for (const patch of sorted) {
    if (patch.v <= v) continue;
    if (patch.fromV !== v) {
      gap = true;
      break;
    }
    for (const op of patch.ops) ops.push(op);
    v = patch.v;
  }
  if (v === thread.v) return { thread, gap };
  const result = applyOps(thread, { threadId: thread.id, fromV: thread.v, v, ops });
  return { thread: result.thread, gap: gap || result.gap };
}
