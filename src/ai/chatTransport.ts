import type { ChatTransport, UIMessage, UIMessageChunk } from 'ai';
import type { AnySyncClient } from '../client/types.js';
import type { BaseMessage, Thread } from '../model/types.js';
import { followReply } from './replyChunks.js';
import { replyIdFor, toUIMessage, type SyncUIMessage } from './uiMessage.js';

/*
 * `useChat`'s transport over syncline (docs/ai.md): a submit is an outbox write of the user's
 * message (persisted, retried until the server has it, exactly once), and the reply is followed
 * in the thread as the server stores it, however it reaches this tab (the event stream, a pull,
 * the leader tab, the local copy), so it survives drops, restarts, instance changes and reloads.
 */

export interface ChatTransportOptions {
  /** A client created with `mutators: aiMutators` (syncline/ai). */
  client: AnySyncClient;
  /** The thread holding a chat. @default the chat's id */
  threadId?: (chatId: string) => string;
}

/**
 * The thread's messages as `useChat` takes them (`messages`), without syncline's run state: what
 * a page shows on load, from the local copy before any network answer.
 */
export function toUIMessages(thread: Pick<Thread<BaseMessage>, 'messages'> | undefined): UIMessage[] {
  return ((thread?.messages ?? []) as SyncUIMessage[]).map((m) => toUIMessage(m) as UIMessage);
}

function findReply(client: AnySyncClient, threadId: string, replyId: string): SyncUIMessage | undefined {
  const messages = (client.getThread(threadId)?.messages ?? []) as SyncUIMessage[];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.id === replyId) return messages[i];
  return undefined;
}

/**
 * Stops a reply (the user pressed stop): its run ends as `aborted` in the thread, which the
 * server's chat handler sees and stops the model (syncline/ai/server, `createChatHandler`).
 * Written even before the reply exists, so a stop that overtakes the start still wins.
 */
function stopReply(client: AnySyncClient, threadId: string, replyId: string) {
  const reply = findReply(client, threadId, replyId);
  if (reply?.run && reply.run.status !== 'running') return;
  if (!reply) client.mutate(threadId, 'startReply', { messageId: replyId });
  client.mutate(threadId, 'setRunStatus', { messageId: replyId, status: 'aborted', errorText: 'Stopped by the user.' });
}

/** The reply's chunks from its start, as the thread changes, until its run ends (or `done`). */
function follow(client: AnySyncClient, threadId: string, replyId: string, abortSignal: AbortSignal | undefined, done: () => void): ReadableStream<UIMessageChunk> {
  let stop = () => {};
  return new ReadableStream<UIMessageChunk>({
    start(controller) {
      const follower = followReply();
      const unwatch = client.watch(threadId);
      const read = () => {
        const reply = findReply(client, threadId, replyId);
        if (!reply) return;
        for (const chunk of follower.next(reply)) controller.enqueue(chunk as UIMessageChunk);
        if (follower.ended()) {
          stop();
          controller.close();
        }
      };
      const unsubscribe = client.store.subscribe(read);
      const onAbort = () => {
        stopReply(client, threadId, replyId);
        read();
      };
      stop = () => {
        done();
        unsubscribe();
        unwatch();
        abortSignal?.removeEventListener('abort', onAbort);
      };
      abortSignal?.addEventListener('abort', onAbort, { once: true });
      read();
    },
    cancel: () => stop(),
  });
}

/**
 * A `ChatTransport` for `useChat({ id, transport })` (AI SDK 6 and 7). Regenerating is not
 * supported yet: it throws, saying so.
 */
export function createChatTransport(options: ChatTransportOptions): ChatTransport<UIMessage> {
  const { client } = options;
  const threadOf = options.threadId ?? ((chatId: string) => chatId);
  /** Replies this transport follows now: a reconnect racing a send must not follow one twice. */
  const followed = new Set<string>();
  const followOnce = (threadId: string, replyId: string, abortSignal: AbortSignal | undefined) => {
    const key = `${threadId}\n${replyId}`;
    followed.add(key);
    return follow(client, threadId, replyId, abortSignal, () => followed.delete(key));
  };
  return {
    // A reconnect follows the reply from its start: the SDK resets the message first, so no
    // part is shown twice.
    resumeStreamIsReplay: true,
    async sendMessages({ trigger, chatId, messages, abortSignal }) {
      if (trigger !== 'submit-message') throw new Error('syncline/ai: regenerating a reply is not supported yet (docs/ai.md).');
      const message = messages.at(-1);
      if (!message || message.role !== 'user') throw new Error('syncline/ai: sendMessages needs the user message last.');
      const threadId = threadOf(chatId);
      // Exactly once: the outbox keeps it until the server acknowledges it, across reloads; the
      // mutator is idempotent by id, so a second submit of the same message changes nothing.
      client.mutate(threadId, 'addUIMessage', { message });
      return followOnce(threadId, replyIdFor(message.id), abortSignal ?? undefined);
    },
    async reconnectToStream({ chatId, abortSignal }) {
      const threadId = threadOf(chatId);
      await client.ready;
      if (!client.getThread(threadId)) await client.syncImmediately(threadId).catch(() => {});
      const messages = (client.getThread(threadId)?.messages ?? []) as SyncUIMessage[];
      const running = messages.findLast((m) => m.role === 'assistant' && m.run?.status === 'running');
      // `resume: true` reconnects on mount; a send made meanwhile already follows its reply.
      if (!running || followed.has(`${threadId}\n${running.id}`)) return null;
      return followOnce(threadId, running.id, abortSignal ?? undefined);
    },
  };
}
