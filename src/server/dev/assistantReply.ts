import type { Clock, TimerId } from '../../platform/clock.js';
import type { Message } from '../../model/types.js';
import type { ToolCallPart } from '../semantics/serverMutators.js';
import { SERVER_CLIENT_ID } from './referenceBackend.js';
import type { ReferenceBackend } from './referenceBackend.js';

export interface ReplyOptions {
  /** Tokens streamed when no `text` is given. @default 20 */
  tokens?: number;
  /** Clock time between two tokens. @default 50 */
  intervalMs?: number;
  /** The reply, streamed word by word; replaces `tokens`. @default generated words */
  text?: string;
  /**
   * Open the reply with a tool call: the message starts with a `word_count` tool-call part (its
   * input the question), whose result the server fills in one interval later (`setToolResult`),
   * before the text streams. @default false
   */
  toolCall?: boolean;
}

export type ReplyOutcome = 'done' | 'cancelled' | 'failed';

export interface AssistantReply {
  messageId: string;
  /** Resolves once the message is `done`, the reply was cancelled, or a write failed (e.g. the user deleted it). */
  done: Promise<ReplyOutcome>;
  cancel(): void;
}

const WORDS = ['Sure', 'here', 'is', 'what', 'the', 'server', 'streamed', 'for', 'this', 'thread', 'one', 'token', 'at', 'a', 'time'];

function tokensOf(options: ReplyOptions): string[] {
  if (options.text !== undefined) return options.text.match(/\s*\S+\s*/g) ?? [options.text];
  const count = Math.max(0, Math.floor(options.tokens ?? 20));
  return Array.from({ length: count }, (_, i) => WORDS[i % WORDS.length]! + (i === count - 1 ? '.' : ' '));
}

/**
 * Streams an assistant reply into a thread as server writes: `addMessage` (status `streaming`),
 * one `appendDelta` per token, then `setMessageStatus` `done`.
 */
export function streamReply(
  backend: ReferenceBackend,
  clock: Clock,
  threadId: string,
  options: ReplyOptions = {},
  /** What the user asked: the tool call's input. */
  question = '',
): AssistantReply {
  const messageId = `asst-${clock.now().toString(36)}-${Math.floor(clock.random() * 2 ** 32).toString(36)}`;
  const tokens = tokensOf(options);
  const intervalMs = options.intervalMs ?? 50;
  let timer: TimerId | undefined;
  let finish!: (outcome: ReplyOutcome) => void;
  let finished = false;
  const done = new Promise<ReplyOutcome>((resolve) => {
    finish = (outcome) => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      resolve(outcome);
    };
  });

  const message: Message & { parts?: ToolCallPart[] } = {
    id: messageId,
    role: 'assistant',
    content: '',
    createdAt: clock.now(),
    status: 'streaming',
  };
  const call = options.toolCall ? { callId: `call-${messageId}`, tool: 'word_count', input: { text: question } } : null;
  if (call) message.parts = [{ type: 'tool-call', ...call }];
  if (backend.serverWrite(threadId, 'addMessage', { message }).status !== 'applied') {
    finish('failed');
    return { messageId, done, cancel: () => undefined };
  }
  let next = 0;
  let toolPending = call !== null;
  const step = () => {
    timer = undefined;
    if (finished) return;
    if (call && toolPending) {
      toolPending = false;
      const words = question.split(/\s+/).filter(Boolean).length;
      const args = { messageId, callId: call.callId, result: { words } };
      if (backend.serverWrite(threadId, 'setToolResult', args).status !== 'applied') return finish('failed');
      timer = clock.setTimeout(step, intervalMs);
      return;
    }
    if (next < tokens.length) {
      const result = backend.serverWrite(threadId, 'appendDelta', { messageId, text: tokens[next++]! });
      if (result.status !== 'applied') return finish('failed');
      timer = clock.setTimeout(step, intervalMs);
      return;
    }
    const result = backend.serverWrite(threadId, 'setMessageStatus', { messageId, status: 'done' });
    finish(result.status === 'applied' ? 'done' : 'failed');
  };
  timer = clock.setTimeout(step, intervalMs);
  return { messageId, done, cancel: () => finish('cancelled') };
}

export interface AutoReplyOptions extends Omit<ReplyOptions, 'text'> {
  /** Answer every user message a client adds. @default false */
  autoReply?: boolean;
}

/**
 * Answers each new user message a client adds with a streamed reply. Returns a stop function
 * that also cancels the replies still streaming.
 */
export function startAutoReply(backend: ReferenceBackend, clock: Clock, options: AutoReplyOptions): () => void {
  const replies = new Set<AssistantReply>();
  const answered = new Set<string>();
  let stopped = false;
  const unsubscribe = backend.subscribeApplied((applied, args) => {
    if (applied.name !== 'addMessage' || applied.clientId === SERVER_CLIENT_ID) return;
    const message = (args as { message?: Message } | undefined)?.message;
    if (message?.role !== 'user') return;
    // addMessage is idempotent: a repeat of the same message is applied but is not a new question.
    const key = `${applied.threadId}\u0000${message.id}`;
    if (answered.has(key)) return;
    answered.add(key);
    // Answer after the push that carried the question has been answered.
    queueMicrotask(() => {
      if (stopped) return;
      const reply = streamReply(backend, clock, applied.threadId, options, message.content);
      replies.add(reply);
      void reply.done.then(() => replies.delete(reply));
    });
  });
  return () => {
    stopped = true;
    unsubscribe();
    for (const reply of [...replies]) reply.cancel();
  };
}
