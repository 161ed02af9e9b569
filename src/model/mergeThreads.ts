import { deepEqual } from './deepEqual.js';
import type { BaseMessage, Message, Thread } from './types.js';

/**
 * Deterministic three-way merge of two versions of one thread that grew apart from `base`.
 *
 * - Messages are matched by `id` only, never by timestamp or content: two different messages
 *   with the same role, time and text both survive, and one message is never kept twice.
 * - Scalars (the title, each field of a message, each `meta` key) follow one rule: both sides
 *   agree → that value; only one side changed it from base → that change; both changed it
 *   differently → local. Values are compared structurally, so equal copies count as unchanged.
 * - A message of base that either side deleted stays deleted, even if the other side edited it.
 *   That is what the server does: it rejects an edit of a missing message with `not-found`.
 * - Order: remote's order for every message remote has. A message only local has (new since
 *   base) goes after the nearest message before it in local that survives, past any messages
 *   remote added there: concurrent appends land as the server will order them once local's
 *   pending writes arrive, remote's first.
 * - `v` is the higher of the two; `createdAt` comes from base, or remote without base.
 *
 * Without `base`, base is an empty thread: every message on either side is new.
 * The inputs are never mutated; the result holds new message objects (meta values are shared).
 */
export function mergeThreads<M extends BaseMessage = Message>(
  base: Thread<M> | undefined,
  local: Thread<M>,
  remote: Thread<M>,
): Thread<M> {
  if (local.id !== remote.id || (base !== undefined && base.id !== local.id)) {
    throw new RangeError(
      `mergeThreads merges versions of one thread, got ids base=${base?.id}, local=${local.id}, ` +
        `remote=${remote.id}. Merge only versions that share an id.`,
    );
  }
  const merged: Thread<M> = {
    id: remote.id,
    v: Math.max(local.v, remote.v),
    messages: mergeMessages(base?.messages ?? [], local.messages, remote.messages),
    createdAt: base?.createdAt ?? remote.createdAt,
  };
  const title = mergeScalar(base?.title, local.title, remote.title);
  if (title !== undefined) merged.title = title;
  const meta = mergeMeta(base?.meta, local.meta, remote.meta);
  if (meta !== undefined) merged.meta = meta;
  return merged;
}

/** Local unless it agrees with base or remote: then remote's (the only change, or no change). */
function mergeScalar<T>(base: T, local: T, remote: T): T {
  return deepEqual(local, remote) || deepEqual(local, base) ? remote : local;
}

/** Merges each field present on any side; a field merged to `undefined` is left out. */
function mergeRecord<T extends object>(base: T | undefined, local: T, remote: T): T {
  const out = {} as T;
  // Own fields only: meta keys are the app's, and `constructor` or `__proto__` is one like any other.
  const own = (record: T | undefined, key: string): unknown => (record && Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined);
  for (const key of unionKeys(remote, local, base)) {
    const value = mergeScalar(own(base, key), own(local, key), own(remote, key));
    if (value !== undefined) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function mergeMeta(
  base: Record<string, unknown> | undefined,
  local: Record<string, unknown> | undefined,
  remote: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const merged = mergeRecord(base ?? {}, local ?? {}, remote ?? {});
  // An empty `meta: {}` is kept when the sides say it should exist, so merging a thread with
  // itself gives it back unchanged.
  const present = mergeScalar(base !== undefined, local !== undefined, remote !== undefined);
  return Object.keys(merged).length > 0 || present ? merged : undefined;
}

function mergeMessages<M extends BaseMessage>(base: M[], local: M[], remote: M[]): M[] {
  const b = byId(base);
  const l = byId(local);
  const r = byId(remote);

  const out: M[] = [];
  const placed = new Set<string>();
  for (const message of r.values()) {
    const original = b.get(message.id);
    const mine = l.get(message.id);
    if (original !== undefined && mine === undefined) continue; // deleted locally
    out.push(mine === undefined ? { ...message } : mergeRecord(original, mine, message));
    placed.add(message.id);
  }

  // Remote's own additions: the messages local's new ones are placed after, not before.
  const remoteNew = (id: string) => !b.has(id) && !l.has(id);

  let anchor: string | null = null;
  for (const message of l.values()) {
    if (placed.has(message.id)) {
      anchor = message.id;
      continue;
    }
    if (b.has(message.id)) continue; // deleted remotely; not an anchor, since it is gone
    let at = anchor === null ? 0 : out.findIndex((m) => m.id === anchor) + 1;
    while (at < out.length && remoteNew(out[at]!.id)) at++;
    out.splice(at, 0, { ...message });
    placed.add(message.id);
    anchor = message.id;
  }
  return out;
}

/** First occurrence wins: a malformed list with a repeated id still yields each message once. */
function byId<M extends BaseMessage>(messages: M[]): Map<string, M> {
  const map = new Map<string, M>();
  for (const message of messages) if (!map.has(message.id)) map.set(message.id, message);
  return map;
}

function unionKeys(...records: Array<object | undefined>): string[] {
  return [...new Set(records.flatMap((record) => Object.keys(record ?? {})))];
}
