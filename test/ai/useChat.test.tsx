import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useChat } from '@ai-sdk/react';
import { useEffect, useState } from 'react';
import { createHttpConnector, createSyncClient, type AnySyncClient } from 'syncline';
import { aiMutators, createChatTransport, loadChat } from 'syncline/ai';
import { useChatSync } from 'syncline/ai/react';
import { freshIndexedDbPerTest } from '../fakeIndexedDb.js';
import { startChatServer, until, type ChatServer } from './chatServer.js';

// docs/ai.md's client, as written there, in React with the AI SDK's useChat: the default storage
// (IndexedDB, here fake-indexeddb), the server of docs/ai.md on loopback. A page without a
// network is a fetch that fails as the browser's does ("Failed to fetch").

freshIndexedDbPerTest();
let s: ChatServer;
let online = true;
const clients: AnySyncClient[] = [];

beforeEach(async () => {
  online = true;
  s = await startChatServer();
});

afterEach(async () => {
  cleanup();
  for (const c of clients.splice(0)) c.dispose();
  await s.close();
});

/** One page load: its client, as docs/ai.md makes it. */
function pageLoad() {
  const fetchOrFail: typeof fetch = (input, init) => (online ? fetch(input, init) : Promise.reject(new TypeError('Failed to fetch')));
  const client = createSyncClient({ connector: createHttpConnector({ baseUrl: s.baseUrl, fetch: fetchOrFail }), mutators: aiMutators, tabs: 'alone' });
  clients.push(client);
  client.start();
  return { client, transport: createChatTransport({ client }) };
}

function ChatPage({ id, page }: { id: string; page: ReturnType<typeof pageLoad> }) {
  const { client, transport } = page;
  const { messages, sendMessage, status, stop, setMessages } = useChat({ id, transport, resume: true });
  useEffect(() => void loadChat(client, id).then(setMessages), [client, id, setMessages]);
  const [text, setText] = useState('');
  return (
    <main>
      <ol aria-label="messages">
        {messages.map((m) => (
          <li key={m.id} data-role={m.role}>
            {m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('')}
          </li>
        ))}
      </ol>
      <p data-testid="status">{status}</p>
      <input aria-label="message" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="button" onClick={() => void sendMessage({ text })}>Send</button>
      <button type="button" onClick={() => void stop()}>Stop</button>
    </main>
  );
}

const shown = () => screen.queryAllByRole('listitem').map((li) => `${li.getAttribute('data-role')}: ${li.textContent}`);

async function send(text: string) {
  fireEvent.change(screen.getByLabelText('message'), { target: { value: text } });
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send' })));
}

it('sends, shows the reply as it is stored, and after a reload without a network shows the conversation; a message sent offline lands once', async () => {
  const first = pageLoad();
  const view = render(<ChatPage id="c1" page={first} />);
  await send('hi');
  await waitFor(() => expect([...shown(), screen.getByTestId('status').textContent]).toEqual(['user: hi', 'assistant: Hello there!', 'ready']), { timeout: 10_000 });
  await until(async () => (await s.thread('c1'))?.messages[1]?.run?.status === 'complete', 'the reply stored');
  await new Promise((r) => setTimeout(r, 1200)); // the local copy is written about once a second
  view.unmount();
  first.client.dispose();

  // The laptop wakes on a train: no network.
  online = false;
  const second = pageLoad();
  render(<ChatPage id="c1" page={second} />);
  await waitFor(() => expect(shown()).toEqual(['user: hi', 'assistant: Hello there!']), { timeout: 10_000 });
  await send('are you there?');
  expect(shown().at(-1)).toBe('user: are you there?');
  expect((await s.thread('c1'))?.messages).toHaveLength(2);

  online = true;
  act(() => second.client.reconnect());
  await until(async () => (await s.thread('c1'))?.messages[3]?.run?.status === 'complete', 'the offline message and its reply stored');
  const stored = (await s.thread('c1'))?.messages ?? [];
  expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(stored.filter((m) => m.role === 'user')).toHaveLength(2);
  await waitFor(() => expect(shown()).toEqual(['user: hi', 'assistant: Hello there!', 'user: are you there?', 'assistant: Hello there!']), { timeout: 10_000 });
  expect(s.state.runs).toBe(2);
}, 30_000);

/** docs/ai.md's client with useChatSync in place of the loadChat effect. */
function SyncedChatPage({ id, page, label }: { id: string; page: ReturnType<typeof pageLoad>; label: string }) {
  const chat = useChat({ id, transport: page.transport, resume: true });
  useChatSync(page.client, id, chat);
  const [text, setText] = useState('');
  return (
    <section aria-label={label}>
      <ol>
        {chat.messages.map((m) => (
          <li key={m.id} data-role={m.role}>
            {m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('')}
          </li>
        ))}
      </ol>
      <input aria-label="message" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="button" onClick={() => void chat.sendMessage({ text })}>Send</button>
    </section>
  );
}

it('useChatSync: a chat open in a second tab shows what the first sends, and its reply as it is stored, live', async () => {
  const a = pageLoad();
  const b = pageLoad();
  render(
    <>
      <SyncedChatPage id="c2" page={a} label="tab A" />
      <SyncedChatPage id="c2" page={b} label="tab B" />
    </>,
  );
  const tab = (label: string) => within(screen.getByRole('region', { name: label }));
  const shownIn = (label: string) => tab(label).queryAllByRole('listitem').map((li) => `${li.getAttribute('data-role')}: ${li.textContent}`);
  const sendIn = async (label: string, text: string) => {
    fireEvent.change(tab(label).getByLabelText('message'), { target: { value: text } });
    await act(async () => fireEvent.click(tab(label).getByRole('button', { name: 'Send' })));
  };
  await sendIn('tab A', 'hi');
  await waitFor(() => expect(shownIn('tab B')).toEqual(['user: hi', 'assistant: Hello there!']), { timeout: 10_000 });
  await sendIn('tab B', 'and you?');
  await waitFor(() => expect(shownIn('tab A')).toEqual(['user: hi', 'assistant: Hello there!', 'user: and you?', 'assistant: Hello there!']), { timeout: 10_000 });
  await waitFor(() => expect(shownIn('tab B')).toEqual(shownIn('tab A')));
  const stored = (await s.thread('c2'))?.messages ?? [];
  expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(s.state.runs).toBe(2);
}, 30_000);
