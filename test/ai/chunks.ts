import { produce } from 'immer';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { aiMutators, toUIMessage, type SyncUIMessage } from 'syncline/ai';
import { diffThreads } from '../../src/model/diffThreads.js';
import type { ThreadOp } from '../../src/model/ops.js';
import type { Thread } from '../../src/model/types.js';

/** A thread holding one started reply `r1`. */
export function startedThread(): Thread<SyncUIMessage> {
  const empty: Thread<SyncUIMessage> = { id: 't1', v: 0, messages: [], createdAt: 0 };
  return produce(empty, (d) => aiMutators.startReply(d, { messageId: 'r1' }));
}

/** Applies chunks one write each, as the server would; returns the thread and the ops of each write. */
export function applyEach(chunks: readonly unknown[]): { thread: Thread<SyncUIMessage>; ops: ThreadOp[][] } {
  let thread = startedThread();
  const ops: ThreadOp[][] = [];
  for (const chunk of chunks) {
    const next = produce(thread, (d) => aiMutators.applyChunks(d, { messageId: 'r1', chunks: [chunk] }));
    ops.push(diffThreads(thread, next));
    thread = next;
  }
  return { thread, ops };
}

/** JSON's view of a value: keys holding undefined are absent, as on the wire. */
export function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** The stored reply as useChat sees it. */
export function stored(chunks: readonly unknown[]): unknown {
  return json(toUIMessage(applyEach(chunks).thread.messages[0]!));
}

/** What the AI SDK itself makes of the chunks: the last message `readUIMessageStream` yields. */
export async function reference(chunks: readonly UIMessageChunk[]): Promise<unknown> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ message: { id: 'r1', role: 'assistant', parts: [] }, stream })) last = message;
  return json(last ?? { id: 'r1', role: 'assistant', parts: [] });
}
