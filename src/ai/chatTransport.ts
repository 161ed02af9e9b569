import type { ChatTransport, UIMessage, UIMessageChunk } from 'ai';
import type { AnySyncClient } from '../client/types.js';
import type { BaseMessage, Thread } from '../model/types.js';
import { randomId } from '../platform/randomId.js';
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
  /**
   * A followed reply whose run is `running` but which changed for this long while the page
   * heard the server (no chunk, no heartbeat: its process died) is ended as `error`, saying so.
   * Well above the server's `heartbeatMs` (5 s). @default 30000
   */
  abandonAfterMs?: number;
}

/** What a reply abandoned by its process says (`run.errorText`). */
export const ABANDONED_TEXT = 'The reply stopped arriving: the server that wrote it went away. Send the message again to retry.';
/** What a reply whose run never started says: the message reached the server, no reply came. */
export const NEVER_STARTED_TEXT = 'No reply came: the server that received the message went away before answering. Send it again to retry.';

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
  endRun(client, threadId, replyId, 'aborted', 'Stopped by the user.');
}

/** Ends a reply's run (started first if it has not: an ended run stays ended, whatever comes later). */
function endRun(client: AnySyncClient, threadId: string, replyId: string, status: 'aborted' | 'error', errorText: string) {
  const reply = findReply(client, threadId, replyId);
  if (reply?.run && reply.run.status !== 'running') return;
  if (!reply) client.mutate(threadId, 'startReply', { messageId: replyId });
  client.mutate(threadId, 'setRunStatus', { messageId: replyId, status, errorText });
}

/**
 * The chat's messages for `setMessages` when a page loads (docs/ai.md): the local copy's when
 * it has the thread (no network needed), else the server's, else none after `waitMs` (offline,
 * a new chat; default 5000).
 */
export async function loadChat(client: AnySyncClient, threadId: string, options: { waitMs?: number } = {}): Promise<UIMessage[]> {
  await client.ready;
  if (!client.getThread(threadId)) {
    // A tab that follows another asks the leader, which answers later: wait for the thread, a while.
    const unwatch = client.watch(threadId);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(done, options.waitMs ?? 5000);
      const unsubscribe = client.store.subscribe(() => client.getThread(threadId) && done());
      client.syncImmediately(threadId).catch(() => {});
    });
    unwatch();
  }
  return toUIMessages(client.getThread(threadId));
}

interface Following {
  threadId: string;
  replyId: string;
  abandonAfterMs: number;
  /** The write that asks for the reply (a submit, a regenerate): until the server has it, no reply is due. */
  asked?: string;
  abortSignal: AbortSignal | undefined;
  /** The SDK aborted the request: a stop, or for a resumed stream maybe a newer resume. */
  onAbort(): void;
  done(): void;
}

/** The reply's chunks from its start, as the thread changes, until its run ends or the request is aborted. */
function follow(client: AnySyncClient, { threadId, replyId, abandonAfterMs, asked, abortSignal, onAbort: aborted, done }: Following): ReadableStream<UIMessageChunk> {
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
      const watchdog = watchRun(client, threadId, replyId, abandonAfterMs, asked);
      const onAbort = () => {
        aborted();
        stop();
        controller.close();
      };
      stop = () => {
        clearInterval(watchdog);
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
 * Ends a reply whose process died (docs/ai.md): its run stays `running` in the store, but nothing
 * changes it, not even the server's heartbeat; or it never started although the server has the
 * write asking for it. Judged only while this page hears the server (a page that hears nothing
 * cannot tell a dead run from a quiet network). Any tab may write it: an ended run stays ended,
 * and a process that was only cut off has its next chunk refused.
 */
function watchRun(client: AnySyncClient, threadId: string, replyId: string, abandonAfterMs: number, asked: string | undefined) {
  let seen: SyncUIMessage | undefined;
  let changedAt = Date.now();
  const unsent = () => asked !== undefined && client.getPendingItems(threadId).some((w) => w.id === asked);
  return setInterval(() => {
    const reply = findReply(client, threadId, replyId);
    const state = client.getHealthStatus().state;
    if (reply !== seen || (state !== 'live' && state !== 'polling') || unsent()) {
      seen = reply;
      changedAt = Date.now();
    } else if (Date.now() - changedAt >= abandonAfterMs) {
      changedAt = Date.now();
      if (reply?.run?.status === 'running') endRun(client, threadId, replyId, 'error', ABANDONED_TEXT);
      else if (!reply && asked !== undefined) endRun(client, threadId, replyId, 'error', NEVER_STARTED_TEXT);
    }
  }, Math.max(10, abandonAfterMs / 4));
}

/**
 * A `ChatTransport` for `useChat({ id, transport })` (AI SDK 6 and 7): submits, regenerates,
 * stops and resumes (docs/ai.md).
 */
export function createChatTransport(options: ChatTransportOptions): ChatTransport<UIMessage> {
  const { client } = options;
  const threadOf = options.threadId ?? ((chatId: string) => chatId);
  const abandonAfterMs = options.abandonAfterMs ?? 30_000;
  /** Replies this transport follows now: a reconnect racing a send must not follow one twice. */
  const followed = new Set<string>();
  /**
   * Stops asked by an aborted resume, by thread, waiting one task: the SDK aborts a resume when
   * it starts a newer one (a remount, the tab shown again), and calls reconnectToStream at once;
   * only an abort that no new resume follows is the user's stop.
   */
  const resumeStops = new Map<string, ReturnType<typeof setTimeout>>();
  const followOnce = (threadId: string, replyId: string, abortSignal: AbortSignal | undefined, onAbort: () => void, asked?: string) => {
    const key = `${threadId}\n${replyId}`;
    followed.add(key);
    return follow(client, { threadId, replyId, abandonAfterMs, asked, abortSignal, onAbort, done: () => followed.delete(key) });
  };
  return {
    // A reconnect follows the reply from its start: the SDK resets the message first, so no
    // part is shown twice.
    resumeStreamIsReplay: true,
    async sendMessages({ trigger, chatId, messages, abortSignal }) {
      const message = messages.at(-1);
      if (!message || message.role !== 'user') throw new Error('syncline/ai: sendMessages needs the user message last.');
      const threadId = threadOf(chatId);
      if (trigger === 'regenerate-message') {
        // A new reply under a new id: the old one's run, if it still goes, has its next chunk refused.
        const replyId = `${replyIdFor(message.id)}-${randomId(Math.random).slice(0, 8)}`;
        const asked = client.mutate(threadId, 'regenerateReply', { userMessageId: message.id, replyId });
        return followOnce(threadId, replyId, abortSignal ?? undefined, () => stopReply(client, threadId, replyId), asked.id);
      }
      // Exactly once: the outbox keeps it until the server acknowledges it, across reloads; the
      // mutator is idempotent by id, so a second submit of the same message changes nothing.
      const asked = client.mutate(threadId, 'addUIMessage', { message });
      const replyId = replyIdFor(message.id);
      return followOnce(threadId, replyId, abortSignal ?? undefined, () => stopReply(client, threadId, replyId), asked.id);
    },
    async reconnectToStream({ chatId, abortSignal }) {
      const threadId = threadOf(chatId);
      clearTimeout(resumeStops.get(threadId));
      resumeStops.delete(threadId);
      await client.ready;
      if (!client.getThread(threadId)) await client.syncImmediately(threadId).catch(() => {});
      const messages = (client.getThread(threadId)?.messages ?? []) as SyncUIMessage[];
      const running = messages.findLast((m) => m.role === 'assistant' && m.run?.status === 'running');
      // `resume: true` reconnects on mount; a send made meanwhile already follows its reply.
      if (!running || followed.has(`${threadId}\n${running.id}`)) return null;
      const stopLater = () => {
        clearTimeout(resumeStops.get(threadId));
        resumeStops.set(threadId, setTimeout(() => resumeStops.delete(threadId) && stopReply(client, threadId, running.id), 0));
      };
      return followOnce(threadId, running.id, abortSignal ?? undefined, stopLater);
    },
  };
}
