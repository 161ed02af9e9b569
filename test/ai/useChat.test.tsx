import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useChat } from '@ai-sdk/react';
import { useEffect, useState } from 'react';
import { createHttpConnector, createSyncClient, type AnySyncClient } from 'syncline';
import { aiMutators, createChatTransport, loadChat } from 'syncline/ai';
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
