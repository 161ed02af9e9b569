import { isDraft, original } from 'immer';
import type { Message, Mutator, Thread } from './types.js';

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

const ROLES = new Set(['user', 'assistant', 'tool', 'system']);
const STATUSES = new Set(['streaming', 'done', 'error']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
    value.id.length > 0 &&
    typeof value.role === 'string' &&
    ROLES.has(value.role) &&
    typeof value.content === 'string' &&
    typeof value.createdAt === 'number' &&
    Number.isFinite(value.createdAt) &&
    (value.status === undefined || (typeof value.status === 'string' && STATUSES.has(value.status)))
  );
}

const draftIds = new WeakMap<Thread, string[]>();

/**
 * The ids of the draft's messages, in order, without reading them through immer's proxies
 * (that would wrap every message of a 10 000-message thread to compare one id). Built once per
 * draft and kept in step by the built-ins, so several built-in writes can share one draft.
 */
function idsOf(draft: Thread): string[] {
  if (!isDraft(draft)) return draft.messages.map((m) => m.id);
  let ids = draftIds.get(draft);
  if (!ids) {
    const messages = draft.messages;
    ids = (isDraft(messages) ? (original(messages) as Message[]) : messages).map((m) => m.id);
    draftIds.set(draft, ids);
  }
  return ids;
}

/** Finds a message from the end: streaming and edits mostly touch the latest messages. */
function findIndex(draft: Thread, messageId: string, mutator: string): number {
  const index = idsOf(draft).lastIndexOf(messageId);
  if (index < 0) {
    throw new MutationError('not-found', `${mutator}: thread ${draft.id} has no message ${messageId}.`);
  }
  return index;
}

/**
 * The built-in mutators (DESIGN §2). The same code runs in the optimistic view and the servers.
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
    const ids = idsOf(draft);
    if (ids.includes(message.id)) return;
    draft.messages.push({ ...message });
    ids.push(message.id);
  },
  editMessage(draft, args: { messageId: string; content: string }) {
    const messageId = requireString(args, 'messageId', 'editMessage');
    const content = requireString(args, 'content', 'editMessage');
    draft.messages[findIndex(draft, messageId, 'editMessage')]!.content = content;
  },
  deleteMessage(draft, args: { messageId: string }) {
    const messageId = requireString(args, 'messageId', 'deleteMessage');
    const index = findIndex(draft, messageId, 'deleteMessage');
    draft.messages.splice(index, 1);
    idsOf(draft).splice(index, 1);
  },
  setTitle(draft, args: { title: string }) {
    draft.title = requireString(args, 'title', 'setTitle');
  },
  appendDelta(draft, args: { messageId: string; text: string }) {
    const messageId = requireString(args, 'messageId', 'appendDelta');
    const text = requireString(args, 'text', 'appendDelta');
    draft.messages[findIndex(draft, messageId, 'appendDelta')]!.content += text;
  },
};

/** The empty thread a first mutation creates, on the server and in the optimistic view alike. */
export function emptyThread(id: string, createdAt: number): Thread {
  return { id, v: 0, messages: [], createdAt };
}
