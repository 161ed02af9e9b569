import { isDraft, original } from 'immer';
import type { Message, Mutator, Thread } from './types.js';
import { isRecord } from './isRecord.js';

/**
 * Thrown by a mutator that cannot apply its arguments. The server answers it as `rejected` with
 * this `code`; the client leaves the write out of its optimistic view.
 */
export class MutationError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'MutationError';
    this.code = code;
  }
}

const ROLES = new Set<unknown>(['user', 'assistant', 'tool', 'system']);
const STATUSES = new Set<unknown>(['streaming', 'done', 'error']);

function requireString(args: unknown, key: string, mutator: string): string {
  const value = isRecord(args) ? args[key] : undefined;
  if (typeof value !== 'string') {
    throw new MutationError('invalid-args', `${mutator} needs args.${key} as a string.`);
  }
  return value;
}

/** Checks a message from any source: a client's args or a server's answer. */
export function isMessage(value: unknown): value is Message {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    value.id !== '' &&
    ROLES.has(value.role) &&
    typeof value.content === 'string' &&
    Number.isFinite(value.createdAt) &&
    (value.status === undefined || STATUSES.has(value.status))
  );
}

interface IdIndex {
  ids: string[];
  set: Set<string>;
}
type Change = { add: string } | { removeAt: number };
interface Journal {
  changes: Change[];
  index: IdIndex | null;
}
const journals = new WeakMap<Thread, Journal>();

/** The messages this draft started from, read without immer's proxies. */
function baseMessages(draft: Thread): readonly Message[] {
  const messages = draft.messages;
  return isDraft(messages) ? (original(messages) as Message[]) : messages;
}

function applyChange(index: IdIndex, change: Change) {
  if ('add' in change) {
    index.ids.push(change.add);
    index.set.add(change.add);
  } else {
    const [id] = index.ids.splice(change.removeAt, 1);
    if (id !== undefined && !index.ids.includes(id)) index.set.delete(id);
  }
}

/** Notes a built-in's change to a draft's message list (see `currentIndex`). */
function record(draft: Thread, change: Change) {
  if (!isDraft(draft)) return;
  let journal = journals.get(draft);
  if (!journal) journals.set(draft, (journal = { changes: [], index: null }));
  if (journal.index) applyChange(journal.index, change);
  else journal.changes.push(change);
}

/**
 * The ids of a draft's messages after the built-ins already applied to it, or null for a draft
 * nothing changed yet (its base is read directly). Several built-in writes share one draft when
 * a view is rebased (rebase.ts); reading ids through immer's proxies would wrap every message of
 * a 10 000-message thread, so the index is built once per draft, on the second write's lookup.
 */
function currentIndex(draft: Thread): IdIndex | null {
  const journal = isDraft(draft) ? journals.get(draft) : undefined;
  if (!journal) return null;
  if (!journal.index) {
    const ids = baseMessages(draft).map((m) => m.id);
    journal.index = { ids, set: new Set(ids) };
    for (const change of journal.changes) applyChange(journal.index, change);
    journal.changes = [];
  }
  return journal.index;
}

/** Where a message is, or -1. From the end: streaming and edits mostly touch the latest messages. */
function indexOf(draft: Thread, messageId: string): number {
  const index = currentIndex(draft);
  if (!index) {
    // A plain loop: V8 does not inline findLastIndex, and this scan runs for every added message.
    const messages = baseMessages(draft);
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.id === messageId) return i;
    return -1;
  }
  return index.set.has(messageId) ? index.ids.lastIndexOf(messageId) : -1;
}

function findIndex(draft: Thread, messageId: string, verb: string): number {
  const at = indexOf(draft, messageId);
  if (at < 0) throw new MutationError('not-found', `Thread ${draft.id} has no message ${messageId} to ${verb}.`);
  return at;
}

/**
 * The built-in mutators (docs/protocol.md). The same code runs in the optimistic view and the servers.
 * Each validates everything before it changes anything, so one that throws leaves no trace.
 */
export const builtinMutators: Record<string, Mutator> = {
  addMessage(draft, args: { message: Message }) {
    const message = isRecord(args) ? args.message : undefined;
    if (!isMessage(message)) {
      throw new MutationError(
        'invalid-args',
        'addMessage needs args.message with id, role (user|assistant|tool|system), content and createdAt.',
      );
    }
    // Idempotent: a message id the thread already holds changes nothing.
    if (indexOf(draft, message.id) >= 0) return;
    draft.messages.push({ ...message });
    record(draft, { add: message.id });
  },
  editMessage(draft, args: { messageId: string; content: string }) {
    const messageId = requireString(args, 'messageId', 'editMessage');
    const content = requireString(args, 'content', 'editMessage');
    draft.messages[findIndex(draft, messageId, 'edit')]!.content = content;
  },
  deleteMessage(draft, args: { messageId: string }) {
    const messageId = requireString(args, 'messageId', 'deleteMessage');
    const at = findIndex(draft, messageId, 'delete');
    draft.messages.splice(at, 1);
    record(draft, { removeAt: at });
  },
  setTitle(draft, args: { title: string }) {
    draft.title = requireString(args, 'title', 'setTitle');
  },
  appendDelta(draft, args: { messageId: string; text: string }) {
    const messageId = requireString(args, 'messageId', 'appendDelta');
    const text = requireString(args, 'text', 'appendDelta');
    draft.messages[findIndex(draft, messageId, 'append to')]!.content += text;
  },
};

/** The empty thread a first mutation creates, on the server and in the optimistic view alike. */
export function emptyThread(id: string, createdAt: number): Thread {
  return { id, v: 0, messages: [], createdAt };
}
