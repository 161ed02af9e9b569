import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { convertToModelMessages, streamText } from 'ai';
import type { Mutator, Thread } from 'syncline';
import { aiMutators, type SyncUIMessage } from 'syncline/ai';
import { createChatHandler } from 'syncline/ai/server';
import { createMemoryStore, createSyncHandler, toNodeHandler } from 'syncline/server';
import { mockModel } from '../../demo/chatServer.js';

// The server of docs/ai.md on loopback HTTP: the sync handler with createChatHandler, a mock model
// streaming `reply.words`, one text delta each `reply.delayMs` apart.

export const mutators = aiMutators as unknown as Record<string, Mutator>;

export { mockModel };

export async function startChatServer() {
  const store = createMemoryStore();
  const handler = createSyncHandler({ store, mutators });
  /** `chunks[i]`: the chunks run i's model stream gave before it ended or was cancelled. */
  /** `hang`: the model is never called (a process stuck, or gone, before the reply starts). */
  const state = { runs: 0, hang: false, signals: [] as AbortSignal[], chunks: [] as number[], reply: { words: ['Hello', ' there', '!'], delayMs: 5 } };
  const chat = createChatHandler({
    handler,
    store,
    // Beats well within the tests' abandonAfterMs.
    heartbeatMs: 50,
    reply: async ({ history, abortSignal }) => {
      if (state.hang) await new Promise(() => {});
      const run = state.signals.push(abortSignal) - 1;
      state.chunks[run] = 0;
      const model = mockModel(state.reply.words, state.reply.delayMs, () => state.runs++);
      const stream = streamText({ model, messages: await convertToModelMessages(history), abortSignal }).toUIMessageStream();
      return stream.pipeThrough(new TransformStream({ transform: (chunk, c) => void (state.chunks[run]!++, c.enqueue(chunk)) }));
    },
  });
  const server = createServer(toNodeHandler(chat));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    store,
    handler,
    chat,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    thread: async (id: string) => (await store.thread(id)) as Thread<SyncUIMessage> | undefined,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
    },
  };
}

export type ChatServer = Awaited<ReturnType<typeof startChatServer>>;

/** The text parts of a message, joined. */
export const textOf = (m: { parts: ReadonlyArray<{ type: string; text?: unknown }> } | undefined) =>
  m?.parts.flatMap((p) => (p.type === 'text' ? [String(p.text)] : [])).join('') ?? '';

/** Polls `done` every 10 ms (loopback, real time), failing after `ms` with what it waited for. */
export async function until(done: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
