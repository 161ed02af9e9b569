import { act, cleanup, render, screen } from '@testing-library/react';
import { Profiler } from 'react';
import type { Message, Mutator, MutatorDefs } from 'syncline';
import { aiMutators } from 'syncline/ai';
import { ChatMessageStatus } from 'syncline/ai/react';
import { SyncProvider } from 'syncline/react';
import { createRig, type Rig } from '../helpers.js';

// <ChatMessageStatus /> (syncline/ai/react): what each chat message's badge says, from a real
// client over the fake backend. "The server" is another client writing the reply, as
// createChatHandler's writes reach the page: through the backend and the stream.

const mutators = aiMutators as unknown as Record<string, Mutator>;
/** Any name with any args: the AI mutators' own types are the app's (docs/typing.md). */
let rig: Rig<Message, MutatorDefs>;
afterEach(() => {
  cleanup();
  rig?.dispose();
});

const user = (id: string) => ({ message: { id, role: 'user', parts: [{ type: 'text', text: id }] } });

function setup(online = true) {
  rig = createRig<Message, MutatorDefs>({ mutators }, { backend: { mutators }, online });
  const server = rig.another({ mutators });
  server.start();
  let renders = 0;
  const view = render(
    <SyncProvider client={rig.client}>
      <Profiler id="u1" onRender={() => void renders++}>
        <ChatMessageStatus threadId="t1" messageId="u1" data-testid="u1" />
      </Profiler>
      <ChatMessageStatus threadId="t1" messageId="reply-u1" data-testid="reply" />
    </SyncProvider>,
  );
  const run = (ms: number) => act(() => rig.clock.advanceAsync(ms));
  const badge = (id: string) => screen.getByTestId(id);
  return { server, view, run, badge, renders: () => renders };
}

it("a user message: waiting for the network while offline, sending, then nothing to say once saved", async () => {
  const s = setup(false);
  await s.run(10);
  act(() => void rig.client.mutate('t1', 'addUIMessage', user('u1')));
  await s.run(10);
  expect(s.badge('u1')).toMatchObject({ textContent: 'Waiting for the network', hidden: false });
  expect(s.badge('u1').dataset.status).toBe('queued');
  act(() => rig.env.setOnline(true));
  await s.run(1000);
  expect(s.badge('u1').dataset.status).toBe('saved');
  expect(s.badge('u1').hidden).toBe(true);
});

it('a reply: writing while it streams and this page hears the server, reconnecting when it does not, then stopped or done', async () => {
  const s = setup();
  await s.run(10);
  act(() => void rig.client.mutate('t1', 'addUIMessage', user('u1')));
  s.server.watch('t1');
  await s.run(500);
  act(() => void s.server.mutate('t1', 'startReply', { messageId: 'reply-u1' }));
  await s.run(500);
  expect(s.badge('reply')).toMatchObject({ textContent: 'Writing…' });
  const before = s.renders();
  for (let i = 0; i < 20; i++) {
    act(() => void s.server.mutate('t1', 'applyChunks', { messageId: 'reply-u1', chunks: i === 0 ? [{ type: 'text-start', id: 'a' }] : [{ type: 'text-delta', id: 'a', delta: ` w${i}` }] }));
    await s.run(50);
  }
  expect(s.renders()).toBe(before); // the user message's badge: not once for 20 writes of the reply
  act(() => rig.env.setOnline(false));
  await s.run(10);
  expect(s.badge('reply')).toMatchObject({ textContent: 'Reconnecting: the reply goes on on the server' });
  expect(s.badge('reply').dataset.status).toBe('paused');
  act(() => rig.env.setOnline(true));
  act(() => void s.server.mutate('t1', 'setRunStatus', { messageId: 'reply-u1', status: 'aborted' }));
  await s.run(2000);
  expect(s.badge('reply')).toMatchObject({ textContent: 'Stopped', hidden: false });
});

it('a reply that completed has nothing to say; one that failed says so', async () => {
  const s = setup();
  await s.run(10);
  act(() => {
    rig.client.mutate('t1', 'addUIMessage', user('u1'));
    rig.client.mutate('t1', 'startReply', { messageId: 'reply-u1' });
    rig.client.mutate('t1', 'setRunStatus', { messageId: 'reply-u1', status: 'complete' });
  });
  await s.run(500);
  expect(s.badge('reply').dataset.status).toBe('complete');
  expect(s.badge('reply').hidden).toBe(true);
  s.view.rerender(
    <SyncProvider client={rig.client}>
      <ChatMessageStatus threadId="t1" messageId="reply-u2" data-testid="reply" labels={{ 'reply-failed': 'La réponse a échoué' }} />
    </SyncProvider>,
  );
  act(() => {
    rig.client.mutate('t1', 'addUIMessage', user('u2'));
    rig.client.mutate('t1', 'startReply', { messageId: 'reply-u2' });
    rig.client.mutate('t1', 'setRunStatus', { messageId: 'reply-u2', status: 'error', errorText: 'model down' });
  });
  await s.run(500);
  expect(s.badge('reply')).toMatchObject({ textContent: 'La réponse a échoué', hidden: false });
});
