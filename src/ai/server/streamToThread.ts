import type { SyncHandler } from '../../server/syncHandlerTypes.js';
import type { ServerStore } from '../../server/types.js';
import { MAX_CHUNKS_PER_WRITE } from '../mutators.js';
import { replyIdFor, toUIMessage, type RunStatus, type SyncUIMessage } from '../uiMessage.js';

export interface StreamToThreadOptions {
  handler: SyncHandler;
  /** Where the handler's writes land; read once at the end for the final message. */
  store: ServerStore;
  threadId: string;
  /** A ReadableStream<UIMessageChunk>, e.g. `streamText(...).toUIMessageStream()`. */
  stream: ReadableStream<unknown>;
  /** The reply's id. @default `reply-<random>` */
  messageId?: string;
  /**
   * Stops reading the model (its stream is cancelled) and ends the run as `aborted`. A stop that
   * reached the store another way (setRunStatus through any instance) stops it too, at the next
   * chunk it stores.
   */
  abortSignal?: AbortSignal;
  /**
   * While the model sends nothing for this long, a heartbeat (`beatRun`) says the run is alive;
   * a client following a reply that changes nothing for much longer ends it as failed
   * (`abandonAfterMs` of createChatTransport). @default 5000
   */
  heartbeatMs?: number;
}

/** Refusals that mean nobody reads this run any more: it ended, or its reply is gone (a regenerate replaced it). */
const RUN_OVER = new Set(['run-ended', 'not-found']);

/**
 * Stores a reply's chunks as they arrive (docs/ai.md). Chunks that arrive within one tick go in
 * one `applyChunks` write; writes are not awaited one by one, since serverWrite keeps call order
 * (docs/server.md). At the end the run is marked complete, aborted (an `abort` chunk) or error
 * (the stream threw), and the final message is read back.
 */
export async function streamToThread(options: StreamToThreadOptions): Promise<SyncUIMessage | undefined> {
  const { handler, store, threadId, stream } = options;
  const messageId = options.messageId ?? `reply-${crypto.randomUUID()}`;
  const writes: Promise<unknown>[] = [handler.serverWrite(threadId, 'startReply', { messageId })];
  const reader = stream.getReader();
  let stopped = false;
  const onAbort = () => {
    if (stopped) return;
    stopped = true;
    reader.cancel().catch(() => {});
  };
  /** Nothing was written since the last beat's tick. */
  let quiet = true;
  // Refused once the run ended in the store: a stop made through any instance reaches this one.
  const write = (name: 'applyChunks' | 'beatRun', args: unknown) => {
    const written = handler.serverWrite(threadId, name, args);
    written.then((result) => result.status === 'rejected' && RUN_OVER.has(result.error.code) && onAbort(), () => {});
    writes.push(written);
    quiet = false;
  };
  const batch: unknown[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    while (batch.length > 0) write('applyChunks', { messageId, chunks: batch.splice(0, MAX_CHUNKS_PER_WRITE) });
  };
  const heartbeat = setInterval(() => {
    if (quiet) write('beatRun', { messageId, at: Date.now() });
    quiet = true;
  }, options.heartbeatMs ?? 5000);
  let status: RunStatus = 'complete';
  let errorText: string | undefined;
  if (options.abortSignal?.aborted) onAbort();
  else options.abortSignal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || stopped) break;
      batch.push(value);
      if ((value as { type?: unknown } | null)?.type === 'abort') status = 'aborted';
      if (batch.length >= MAX_CHUNKS_PER_WRITE) flush();
      else timer ??= setTimeout(flush, 0);
    }
  } catch (error) {
    if (!stopped) {
      status = 'error';
      errorText = error instanceof Error ? error.message : String(error);
    }
  } finally {
    if (stopped) status = 'aborted';
    options.abortSignal?.removeEventListener('abort', onAbort);
    clearInterval(heartbeat);
    if (timer !== undefined) clearTimeout(timer);
    flush();
    reader.releaseLock();
  }
  writes.push(handler.serverWrite(threadId, 'setRunStatus', { messageId, status, ...(errorText !== undefined ? { errorText } : {}) }));
  await Promise.all(writes);
  const thread = await store.thread(threadId);
  return (thread?.messages as unknown as SyncUIMessage[] | undefined)?.find((m) => m.id === messageId);
}

/** The thread's messages for the model, as UIMessage[] (without syncline's run state). */
export async function readHistory(store: ServerStore, threadId: string) {
  const thread = await store.thread(threadId);
  return ((thread?.messages ?? []) as unknown as SyncUIMessage[]).map(toUIMessage);
}

const running = new WeakMap<SyncHandler, Map<string, Promise<SyncUIMessage | undefined>>>();

export interface StartRunOptions extends Omit<StreamToThreadOptions, 'stream' | 'messageId'> {
  /** The user message this run answers. */
  userMessageId: string;
  /** The reply's id (a regenerated reply's, `regenerateReply`). @default `reply-<userMessageId>` */
  replyId?: string;
  /** Makes the model's stream; called at most once per user message id. */
  run: () => ReadableStream<unknown> | Promise<ReadableStream<unknown>>;
}

/**
 * Starts the reply to a user message at most once: a retried start (the same user message id)
 * while it runs gets the same promise, and after it is stored gets the stored reply; the model
 * is not run again. Within one process; across instances, route a thread's starts to one.
 */
export function startRun(options: StartRunOptions): Promise<SyncUIMessage | undefined> {
  const messageId = options.replyId ?? replyIdFor(options.userMessageId);
  let runs = running.get(options.handler);
  if (!runs) running.set(options.handler, (runs = new Map()));
  const key = `${options.threadId}\n${messageId}`;
  const current = runs.get(key);
  if (current) return current;
  const started = (async () => {
    const thread = await options.store.thread(options.threadId);
    const stored = (thread?.messages as unknown as SyncUIMessage[] | undefined)?.find((m) => m.id === messageId);
    if (stored) return stored;
    return streamToThread({ ...options, messageId, stream: await options.run() });
  })();
  runs.set(key, started);
  const forget = () => runs.delete(key);
  started.then(forget, forget);
  return started;
}
