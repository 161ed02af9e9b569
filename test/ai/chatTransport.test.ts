import { Chat } from '@ai-sdk/react';
import { streamText, type UIMessage } from 'ai';
import { createHttpConnector, createMemoryStorage, createSyncClient, type AnySyncClient } from 'syncline';
import { createChatTransport, loadChat, toUIMessages } from 'syncline/ai';
import { createChatHandler } from 'syncline/ai/server';
import { createSyncHandler } from 'syncline/server';
import { mockModel, mutators, startChatServer, textOf as text, until, type ChatServer } from './chatServer.js';

// createChatTransport + createChatHandler (docs/ai.md): the AI SDK's own Chat (what useChat
// runs) over a real client and a real handler on loopback HTTP, a mock model streaming the reply.

let s: ChatServer;
const clients: AnySyncClient[] = [];

beforeEach(async () => {
  s = await startChatServer();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  await s.close();
});

function client() {
  const c = createSyncClient({ connector: createHttpConnector({ baseUrl: s.baseUrl }), mutators, storage: createMemoryStorage(), tabs: 'alone' });
  clients.push(c);
  c.start();
  return c;
}

const words = (n: number) => Array.from({ length: n }, (_, i) => ` w${i}`);

/** The stored thread is one user message and its complete reply, the model ran `runs` times, and the chat shows exactly the store. */
async function expectChatIsStore(chat: Chat<UIMessage>, id: string, runs: number) {
  const thread = await s.thread(id);
  expect(thread?.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(thread?.messages[1]?.run?.status).toBe('complete');
  expect(s.state.runs).toBe(runs);
  expect(JSON.parse(JSON.stringify(chat.messages))).toEqual(JSON.parse(JSON.stringify(toUIMessages(thread))));
  return thread;
}

/** A chat whose first reply (200 words, 10 ms apart) has begun on the server. */
async function longReplyBegun(id: string) {
  s.state.reply = { words: words(200), delayMs: 10 };
  const chat = new Chat({ id, transport: createChatTransport({ client: client() }) });
  void chat.sendMessage({ text: 'tell me a long story' });
  await until(async () => text((await s.thread(id))?.messages[1]).length > 0, 'the reply to begin');
  return chat;
}

it('a sent message is stored once, the model runs once, and the chat shows the reply as the server stored it', async () => {
  const c = client();
  const chat = new Chat({ id: 'chat-1', transport: createChatTransport({ client: c }) });
  await chat.sendMessage({ text: 'hi' });
  await until(() => chat.status === 'ready', 'the reply to finish in the chat');
  expect(text(chat.messages.at(-1))).toBe('Hello there!');
  await expectChatIsStore(chat, 'chat-1', 1);
});

it('stop() ends the run on the server: the model stream is cancelled and the reply is stored as aborted', async () => {
  const chat = await longReplyBegun('chat-stop');
  await chat.stop();
  await until(async () => (await s.thread('chat-stop'))?.messages[1]?.run?.status === 'aborted', 'the run aborted on the server');
  const stored = text((await s.thread('chat-stop'))?.messages[1]);
  await new Promise((r) => setTimeout(r, 300)); // the model would have sent 30 more words by now
  expect(text((await s.thread('chat-stop'))?.messages[1])).toBe(stored);
  expect(stored.split(' ').length).toBeLessThan(150);
  expect(s.state.signals.map((signal) => signal.aborted)).toEqual([true]); // the model was told to stop
  expect(chat.status).toBe('ready');
});

it('a reload mid-reply resumes it with the stored messages, no part twice, and a second tab sees it too', async () => {
  s.state.reply = { words: words(60), delayMs: 10 };
  const first = client();
  const otherTab = client();
  otherTab.watch('chat-reload');
  const chat = new Chat({ id: 'chat-reload', transport: createChatTransport({ client: first }) });
  void chat.sendMessage({ text: 'hello' });
  await until(async () => text((await s.thread('chat-reload'))?.messages[1]).length > 20, 'half a reply');
  first.dispose(); // the tab reloads

  const again = client();
  again.watch('chat-reload');
  await again.syncImmediately('chat-reload');
  const reloaded = new Chat({ id: 'chat-reload', transport: createChatTransport({ client: again }), messages: toUIMessages(again.getThread('chat-reload')) });
  expect(reloaded.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  await reloaded.resumeStream();
  await until(() => reloaded.status === 'ready' && text(reloaded.messages.at(-1)).endsWith(' w59'), 'the resumed reply to finish');
  expect(reloaded.messages).toHaveLength(2);
  expect(text(reloaded.messages[1])).toBe(words(60).join(''));
  expect(s.state.runs).toBe(1);
  const same = async () => JSON.stringify(otherTab.getThread('chat-reload')?.messages) === JSON.stringify((await s.thread('chat-reload'))?.messages);
  await until(same, 'the other tab to show the stored reply');
  // Nothing running now: a reconnect finds nothing to follow.
  expect(await createChatTransport({ client: again }).reconnectToStream({ chatId: 'chat-reload' })).toBeNull();
});

it('a push retried on another instance is answered duplicate and does not run the model again', async () => {
  const instanceB = createSyncHandler({ store: s.store, mutators });
  const other = createChatHandler({ handler: instanceB, store: s.store, reply: () => streamText({ model: mockModel(['again'], 1), prompt: 'x' }).toUIMessageStream() });
  const body = JSON.stringify({
    clientId: 'c1',
    epoch: 1,
    mutations: [{ seq: 1, id: 'w1', threadId: 'chat-dup', name: 'addUIMessage', args: { message: { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hi' }] } }, createdAt: 1 }],
  });
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  const first = await (await fetch(`${s.baseUrl}/push`, init)).json();
  const retried = await (await other(new Request('http://instance-b/push', init))).json();
  expect([first.results[0].status, retried.results[0].status]).toEqual(['applied', 'duplicate']);
  await until(async () => (await s.thread('chat-dup'))?.messages[1]?.run?.status === 'complete', 'the one reply');
  expect(s.state.runs).toBe(1);
  expect(text((await s.thread('chat-dup'))?.messages[1])).toBe('Hello there!');
  await instanceB.close();
});

it('a reply whose process died (running, no chunk, no heartbeat) ends as failed, saying so, in the chat and the store', async () => {
  // What a process that died mid-reply leaves: the user message and a running reply, then nothing.
  const user = { id: 'u1', role: 'user' as const, parts: [{ type: 'text' as const, text: 'hi' }] };
  await s.handler.serverWrite('chat-dead', 'addUIMessage', { message: user });
  await s.handler.serverWrite('chat-dead', 'startReply', { messageId: 'reply-u1' });
  await s.handler.serverWrite('chat-dead', 'applyChunks', { messageId: 'reply-u1', chunks: [{ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'Half a' }] });
  const c = client();
  const chat = new Chat({ id: 'chat-dead', transport: createChatTransport({ client: c, abandonAfterMs: 300 }), messages: await loadChat(c, 'chat-dead') });
  void chat.resumeStream();
  await until(async () => (await s.thread('chat-dead'))?.messages[1]?.run?.status === 'error', 'the dead run ended in the store');
  expect((await s.thread('chat-dead'))?.messages[1]?.run?.errorText).toMatch(/stopped arriving/);
  await until(() => chat.status === 'error' || chat.status === 'ready', 'the chat to end the reply');
  expect(text(chat.messages.at(-1))).toBe('Half a');
  expect(s.state.runs).toBe(0);
});

it('a quiet run that beats is not abandoned', async () => {
  s.state.reply = { words: ['slow'], delayMs: 700 };
  const c = client();
  const chat = new Chat({ id: 'chat-quiet', transport: createChatTransport({ client: c, abandonAfterMs: 300 }) });
  await chat.sendMessage({ text: 'think hard' });
  await until(() => chat.status === 'ready', 'the reply to finish', 15_000);
  expect((await s.thread('chat-quiet'))?.messages[1]?.run?.status).toBe('complete');
});

it('regenerate() asks the server for a new reply: the old one goes, the model runs again, chat and store agree', async () => {
  const c = client();
  const chat = new Chat({ id: 'chat-regen', transport: createChatTransport({ client: c }) });
  await chat.sendMessage({ text: 'hi' });
  await until(() => chat.status === 'ready', 'the first reply');
  s.state.reply = { words: ['Once', ' more'], delayMs: 5 };
  await chat.regenerate();
  await until(() => chat.status === 'ready' && text(chat.messages.at(-1)) === 'Once more', 'the regenerated reply in the chat');
  await until(async () => (await s.thread('chat-regen'))?.messages[1]?.run?.status === 'complete', 'the regenerated reply stored');
  const thread = await expectChatIsStore(chat, 'chat-regen', 2);
  expect(text(thread?.messages[1])).toBe('Once more');
});

it('regenerate() while the first reply still streams: that run stops, only the new reply stays', async () => {
  const chat = await longReplyBegun('chat-regen-mid');
  s.state.reply = { words: ['Short'], delayMs: 5 };
  await chat.regenerate();
  await until(() => chat.status === 'ready' && text(chat.messages.at(-1)) === 'Short', 'the regenerated reply in the chat');
  // The first model stopped: its stream was cancelled when its next chunk was refused.
  const given = s.state.chunks[0]!;
  await new Promise((r) => setTimeout(r, 300)); // it would have given 30 more by now
  expect(s.state.chunks[0]).toBe(given);
  expect(given).toBeLessThan(150);
  const thread = await s.thread('chat-regen-mid');
  expect(thread?.messages.map((m) => text(m))).toEqual(['tell me a long story', 'Short']);
});

it('a message the server has but whose reply never starts gets a failed reply saying so, not "writing" for ever', async () => {
  s.state.hang = true;
  const c = client();
  const chat = new Chat({ id: 'chat-never', transport: createChatTransport({ client: c, abandonAfterMs: 300 }) });
  void chat.sendMessage({ text: 'anyone?' });
  await until(async () => (await s.thread('chat-never'))?.messages[1]?.run?.status === 'error', 'the missing reply ended in the store');
  const thread = await s.thread('chat-never');
  expect(thread?.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(thread?.messages[1]?.run?.errorText).toMatch(/No reply came/);
  await until(() => chat.status === 'error' || chat.status === 'ready', 'the chat to end the reply');
});

it('a message still in the outbox is not judged: no reply is due before the server has it', async () => {
  s.state.hang = true;
  // The server answers pulls and streams (the page hears it) but refuses writes for a while.
  let accepting = false;
  const fetchOrFail: typeof fetch = (input, init) =>
    accepting || !String(input).endsWith('/push') ? fetch(input, init) : Promise.resolve(new Response('busy', { status: 503 }));
  const c = createSyncClient({ connector: createHttpConnector({ baseUrl: s.baseUrl, fetch: fetchOrFail }), mutators, storage: createMemoryStorage(), tabs: 'alone' });
  clients.push(c);
  c.start();
  const chat = new Chat({ id: 'chat-unsent', transport: createChatTransport({ client: c, abandonAfterMs: 200 }) });
  void chat.sendMessage({ text: 'while writes are refused' });
  await new Promise((r) => setTimeout(r, 800));
  expect(c.getHealthStatus().state).toBe('live');
  expect(c.getPendingItems()).toHaveLength(1);
  expect(c.getThread('chat-unsent')?.messages.map((m) => m.role)).toEqual(['user']);
  accepting = true;
  c.reconnect();
  await until(async () => (await s.thread('chat-unsent'))?.messages[0]?.role === 'user', 'the message stored');
});
