import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Chat } from '@ai-sdk/react';
import { convertToModelMessages, streamText } from 'ai';
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test';
import { createHttpConnector, createMemoryStorage, createSyncClient, type AnySyncClient, type Mutator, type Thread } from 'syncline';
import { aiMutators, createChatTransport, toUIMessages, type SyncUIMessage } from 'syncline/ai';
import { createChatHandler } from 'syncline/ai/server';
import { createMemoryStore, createSyncHandler, toNodeHandler, type SyncHandler } from 'syncline/server';

// createChatTransport + createChatHandler (docs/ai.md): the AI SDK's own Chat (what useChat
// runs) over a real client and a real handler on loopback HTTP, a mock model streaming the reply.

const mutators = aiMutators as unknown as Record<string, Mutator>;
let server: Server;
let handler: SyncHandler;
let store: ReturnType<typeof createMemoryStore>;
let baseUrl: string;
const clients: AnySyncClient[] = [];
let runs = 0;
/** The abort signals the model runs were given. */
let signals: AbortSignal[] = [];

/** A model whose reply is `words`, one text delta each `delayMs` apart. */
function model(words: string[], delayMs: number) {
  return new MockLanguageModelV3({
    doStream: async () => {
      runs++;
      return {
        stream: simulateReadableStream({
          chunkDelayInMs: delayMs,
          chunks: [
            { type: 'text-start' as const, id: 't' },
            ...words.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
            { type: 'text-end' as const, id: 't' },
            { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: undefined }, usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: words.length, text: words.length, reasoning: 0 } } },
          ],
        }),
      };
    },
  });
}

let reply = { words: ['Hello', ' there', '!'], delayMs: 5 };

beforeEach(async () => {
  runs = 0;
  signals = [];
  reply = { words: ['Hello', ' there', '!'], delayMs: 5 };
  store = createMemoryStore();
  handler = createSyncHandler({ store, mutators });
  const chat = createChatHandler({
    handler,
    store,
    reply: async ({ history, abortSignal }) => {
      signals.push(abortSignal);
      return streamText({ model: model(reply.words, reply.delayMs), messages: await convertToModelMessages(history), abortSignal }).toUIMessageStream();
    },
  });
  server = createServer(toNodeHandler(chat));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await handler.close();
});

function client() {
  const c = createSyncClient({ connector: createHttpConnector({ baseUrl }), mutators, storage: createMemoryStorage(), tabs: 'alone' });
  clients.push(c);
  c.start();
  return c;
}

async function until(done: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const serverThread = async (id: string) => (await store.thread(id)) as Thread<SyncUIMessage> | undefined;
const text = (m: { parts: ReadonlyArray<{ type: string; text?: unknown }> } | undefined) => m?.parts.flatMap((p) => (p.type === 'text' ? [String(p.text)] : [])).join('') ?? '';

it('a sent message is stored once, the model runs once, and the chat shows the reply as the server stored it', async () => {
  const c = client();
  const chat = new Chat({ id: 'chat-1', transport: createChatTransport({ client: c }) });
  await chat.sendMessage({ text: 'hi' });
  await until(() => chat.status === 'ready', 'the reply to finish in the chat');
  expect(text(chat.messages.at(-1))).toBe('Hello there!');
  const thread = await serverThread('chat-1');
  expect(thread?.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(thread?.messages[1]?.run?.status).toBe('complete');
  expect(runs).toBe(1);
  expect(JSON.parse(JSON.stringify(chat.messages))).toEqual(JSON.parse(JSON.stringify(toUIMessages(thread))));
});

it('stop() ends the run on the server: the model stream is cancelled and the reply is stored as aborted', async () => {
  reply = { words: Array.from({ length: 200 }, (_, i) => ` w${i}`), delayMs: 10 };
  const c = client();
  const chat = new Chat({ id: 'chat-stop', transport: createChatTransport({ client: c }) });
  void chat.sendMessage({ text: 'tell me a long story' });
  await until(async () => text((await serverThread('chat-stop'))?.messages[1]).length > 0, 'the reply to begin');
  await chat.stop();
  await until(async () => (await serverThread('chat-stop'))?.messages[1]?.run?.status === 'aborted', 'the run aborted on the server');
  const stored = text((await serverThread('chat-stop'))?.messages[1]);
  await new Promise((r) => setTimeout(r, 300)); // the model would have sent 30 more words by now
  expect(text((await serverThread('chat-stop'))?.messages[1])).toBe(stored);
  expect(stored.split(' ').length).toBeLessThan(150);
  expect(signals.map((s) => s.aborted)).toEqual([true]); // the model was told to stop
  expect(chat.status).toBe('ready');
});

it('a reload mid-reply resumes it with the stored messages, no part twice, and a second tab sees it too', async () => {
  reply = { words: Array.from({ length: 60 }, (_, i) => ` w${i}`), delayMs: 10 };
  const first = client();
  const otherTab = client();
  otherTab.watch('chat-reload');
  const chat = new Chat({ id: 'chat-reload', transport: createChatTransport({ client: first }) });
  void chat.sendMessage({ text: 'hello' });
  await until(async () => text((await serverThread('chat-reload'))?.messages[1]).length > 20, 'half a reply');
  first.dispose(); // the tab reloads

  const again = client();
  again.watch('chat-reload');
  await again.syncImmediately('chat-reload');
  const reloaded = new Chat({
    id: 'chat-reload',
    transport: createChatTransport({ client: again }),
    messages: toUIMessages(again.getThread('chat-reload')),
  });
  expect(reloaded.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  await reloaded.resumeStream();
  await until(() => reloaded.status === 'ready' && text(reloaded.messages.at(-1)).endsWith(' w59'), 'the resumed reply to finish');
  expect(reloaded.messages).toHaveLength(2);
  expect(text(reloaded.messages[1])).toBe(Array.from({ length: 60 }, (_, i) => ` w${i}`).join(''));
  expect(runs).toBe(1);
  const done = async () => JSON.stringify(otherTab.getThread('chat-reload')?.messages) === JSON.stringify((await serverThread('chat-reload'))?.messages);
  await until(done, 'the other tab to show the stored reply');
  // Nothing running now: a reconnect finds nothing to follow.
  expect(await createChatTransport({ client: again }).reconnectToStream({ chatId: 'chat-reload' })).toBeNull();
});

it('a push retried on another instance is answered duplicate and does not run the model again', async () => {
  const instanceB = createSyncHandler({ store, mutators });
  const other = createChatHandler({ handler: instanceB, store, reply: () => streamText({ model: model(['again'], 1), prompt: 'x' }).toUIMessageStream() });
  const body = JSON.stringify({
    clientId: 'c1',
    epoch: 1,
    mutations: [{ seq: 1, id: 'w1', threadId: 'chat-dup', name: 'addUIMessage', args: { message: { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hi' }] } }, createdAt: 1 }],
  });
  const push = (url: string, to: (r: Request) => Promise<Response>) => to(new Request(`${url}/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
  const first = await (await fetch(`${baseUrl}/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json();
  const retried = await (await push('http://instance-b', other)).json();
  expect([first.results[0].status, retried.results[0].status]).toEqual(['applied', 'duplicate']);
  await until(async () => (await serverThread('chat-dup'))?.messages[1]?.run?.status === 'complete', 'the one reply');
  expect(runs).toBe(1);
  expect(text((await serverThread('chat-dup'))?.messages[1])).toBe('Hello there!');
  await instanceB.close();
});
