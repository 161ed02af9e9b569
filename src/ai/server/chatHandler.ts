import type { UIMessage } from 'ai';
import { isRecord } from '../../model/isRecord.js';
import type { PushRequest, PushResponse } from '../../protocol/wire.js';
import type { SyncHandler } from '../../server/syncHandlerTypes.js';
import type { ServerStore } from '../../server/types.js';
import { isUIMessage } from '../mutators.js';
import { replyIdFor } from '../uiMessage.js';
import { readHistory, startRun } from './streamToThread.js';

export interface ChatReplyContext {
  threadId: string;
  /** The user message to answer; the reply is stored as `reply-<userMessageId>`. */
  userMessageId: string;
  /** The thread's messages, the user message last, as `convertToModelMessages` takes them. */
  history: UIMessage[];
  /** Aborted when the user stops the reply (`stop()` of useChat): pass it to `streamText`. */
  abortSignal: AbortSignal;
}

export interface ChatHandlerOptions {
  /** The sync handler the client talks to, created with `mutators: aiMutators`. */
  handler: SyncHandler;
  /** The handler's store (the history is read from it). */
  store: ServerStore;
  /** The model's reply to a new user message: `streamText({ … }).toUIMessageStream()`. */
  reply(context: ChatReplyContext): ReadableStream<unknown> | Promise<ReadableStream<unknown>>;
  /** How often a quiet run says it is alive (streamToThread's `heartbeatMs`). @default 5000 */
  heartbeatMs?: number;
  /** A reply that could not be started or stored. @default console.error */
  onError?: (error: unknown) => void;
}

/**
 * The sync handler, answering a new user message with a model run (docs/ai.md). A run starts
 * when a push applies `addUIMessage` of a user message: the store applies a write exactly once
 * whichever instance it reaches, so a retried push (answered `duplicate`) never runs the model
 * twice, across instances too. A push that applies `setRunStatus … aborted` (a stop) cancels the
 * model's stream at once if it runs in this process; on another instance its next chunk is
 * refused by the store (`run-ended`), which stops it there.
 */
export function createChatHandler(options: ChatHandlerOptions): (request: Request) => Promise<Response> {
  const { handler, store } = options;
  const onError = options.onError ?? ((error: unknown) => console.error('[syncline] a chat reply failed', error));
  /** Runs of this process: thread and reply id -> its stop. */
  const running = new Map<string, AbortController>();
  const key = (threadId: string, replyId: string) => `${threadId}\n${replyId}`;

  function begin(threadId: string, userMessageId: string, replyId = replyIdFor(userMessageId)) {
    const stop = new AbortController();
    running.set(key(threadId, replyId), stop);
    startRun({
      handler,
      store,
      threadId,
      userMessageId,
      replyId,
      abortSignal: stop.signal,
      heartbeatMs: options.heartbeatMs,
      run: async () => options.reply({ threadId, userMessageId, history: (await readHistory(store, threadId)) as UIMessage[], abortSignal: stop.signal }),
    })
      .catch(onError)
      .finally(() => running.delete(key(threadId, replyId)));
  }

  async function afterPush(request: Request, response: Response) {
    const push = (await request.json()) as PushRequest;
    const answer = (await response.json()) as PushResponse;
    const applied = new Set(answer.results.flatMap((r) => (r.status === 'applied' ? [r.seq] : [])));
    for (const m of push.mutations) {
      if (!applied.has(m.seq) || !isRecord(m.args)) continue;
      if (m.name === 'addUIMessage' && isUIMessage(m.args.message) && m.args.message.role === 'user') begin(m.threadId, m.args.message.id);
      else if (m.name === 'regenerateReply' && typeof m.args.userMessageId === 'string' && typeof m.args.replyId === 'string') begin(m.threadId, m.args.userMessageId, m.args.replyId);
      else if (m.name === 'setRunStatus' && m.args.status === 'aborted' && typeof m.args.messageId === 'string') running.get(key(m.threadId, m.args.messageId))?.abort();
    }
  }

  return async (request) => {
    const isPush = request.method === 'POST' && new URL(request.url).pathname.endsWith('/push');
    const copy = isPush ? request.clone() : null;
    const response = await handler(request);
    if (!copy) return response;
    if (response.status !== 200) {
      void copy.body?.cancel();
      return response;
    }
    afterPush(copy, response.clone()).catch(onError);
    return response;
  };
}
