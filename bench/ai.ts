/**
 * syncline/ai on loopback HTTP (docs/ai.md): the AI SDK's own Chat (what useChat runs) over
 * createChatTransport and a real client, against createChatHandler with a mock model. The
 * figure: from the model's last chunk on the server to the reply complete in the chat, on a
 * thread of 10 and of 10 000 messages.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Chat } from '@ai-sdk/react';
import { streamText } from 'ai';
import { createHttpConnector, createMemoryStorage, createSyncClient, type Mutator } from '../src/index.js';
import { aiMutators, createChatTransport, loadChat } from '../src/ai/index.js';
import { createChatHandler } from '../src/ai/server/index.js';
import { createMemoryStore, createSyncHandler, toNodeHandler } from '../src/server/index.js';
import { mockModel } from '../demo/chatServer.js';

const mutators = aiMutators as unknown as Record<string, Mutator>;

export interface ReplyLatency {
  messages: number;
  trials: number;
  p50Ms: number;
  p95Ms: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export async function replyCompleteLatency(messages: number, trials = 15): Promise<ReplyLatency> {
  const store = createMemoryStore();
  const handler = createSyncHandler({ store, mutators });
  let modelDoneAt = 0;
  const chat = createChatHandler({
    handler,
    store,
    reply: async ({ abortSignal }) => {
      // The history is not the figure: the model reads a short prompt.
      const model = mockModel(Array.from({ length: 40 }, (_, i) => ` w${i}`), 2);
      const stream = streamText({ model, prompt: 'hi', abortSignal }).toUIMessageStream();
      return stream.pipeThrough(new TransformStream({ flush: () => void (modelDoneAt = performance.now()) }));
    },
  });
  const server = createServer(toNodeHandler(chat));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const threadId = 'bench-chat';
  // The conversation so far: `messages` stored messages of about 200 B.
  for (let i = 0; i < messages; i++) {
    const message = { id: `old-${i}`, role: i % 2 ? 'assistant' : 'user', parts: [{ type: 'text', text: `message ${i} `.padEnd(200, '.') }] };
    await handler.serverWrite(threadId, 'addUIMessage', { message });
  }
  const client = createSyncClient({ connector: createHttpConnector({ baseUrl }), mutators, storage: createMemoryStorage(), tabs: 'alone' });
  client.start();
  const samples: number[] = [];
  try {
    const transport = createChatTransport({ client });
    const initial = await loadChat(client, threadId);
    const ui = new Chat({ id: threadId, transport, messages: initial });
    for (let t = 0; t < trials + 2; t++) {
      await ui.sendMessage({ text: `question ${t}` });
      while (ui.status !== 'ready') await new Promise((resolve) => setImmediate(resolve));
      const finishedAt = performance.now();
      const reply = ui.messages.at(-1);
      const text = reply?.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
      if (!text?.endsWith(' w39')) throw new Error(`the reply in the chat is not complete: ${JSON.stringify(text)}`);
      if (t >= 2) samples.push(finishedAt - modelDoneAt); // two to warm up
    }
  } finally {
    client.dispose();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await handler.close();
  }
  samples.sort((a, b) => a - b);
  return { messages, trials, p50Ms: quantile(samples, 0.5), p95Ms: quantile(samples, 0.95) };
}
