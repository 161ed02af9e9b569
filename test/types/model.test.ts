import { QueryClient } from '@tanstack/react-query';
import {
  createMemoryStorage,
  createSyncClient,
  type BaseMessage,
  type Message,
  type PendingWrite,
  type SyncError,
  type Thread,
  type TypedPendingWrite,
} from 'syncline';
import { connectQueryClient, threadQueryOptions } from 'syncline/query';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { chatMessage, chatMutators, type ChatMessage, type Part } from './chatModel.js';

// Compile-time checks: `tsc -p tsconfig.json` (run by `npm test`) type-checks this file, so every
// `@ts-expect-error` below must meet an error, and the runtime part runs in the unit project.

function chatRig() {
  const clock = createFakeClock();
  const rollbacks: Array<[TypedPendingWrite<ChatMessage, typeof chatMutators>, SyncError]> = [];
  const fake = createFakeBackend({ clock, mutators: chatMutators });
  const client = createSyncClient({
    connector: fake.connector,
    clock,
    environment: createFakeEnvironment(clock),
    storage: createMemoryStorage(),
    mutators: chatMutators,
    onRollback: (write, error) => {
      // The write is typed: its name narrows its args.
      if (write.name === 'setToolResult') expectTypeOf(write.args.callId).toEqualTypeOf<string>();
      rollbacks.push([write, error]);
    },
  });
  return { clock, fake, client, rollbacks };
}

describe("an app's own model, typed end to end", () => {
  it('infers the message type and the mutators from the options, and checks mutate at compile time', () => {
    const { client } = chatRig();
    expectTypeOf(client.getThread('t1')).toEqualTypeOf<Thread<ChatMessage> | undefined>();

    client.mutate('t1', 'addMessage', { message: chatMessage('m1') });
    client.mutate('t1', 'setToolResult', { messageId: 'm1', callId: 'c1', result: { ok: true } });
    client.mutate('t1', 'setTitle', { title: 'built-ins keep their arg types' });
    client.mutate('t1', 'flag', { messageId: 'm1' });

    // @ts-expect-error a typo in a mutator name
    expect(() => client.mutate('t1', 'addMesage', { message: chatMessage('m2') })).toThrow(/no mutation named "addMesage"/);
    // @ts-expect-error a typo in an arg name
    expect(() => client.mutate('t1', 'addMessage', { mesage: chatMessage('m2') })).toThrow();
    // @ts-expect-error a role the model does not have
    expect(() => client.mutate('t1', 'addMessage', { message: { ...chatMessage('m2'), role: 'robot' } })).toThrow();
    // @ts-expect-error the built-in's args, checked as before
    expect(() => client.mutate('t1', 'setTitle', { titel: 'x' })).toThrow(/setTitle needs args.title/);
    // @ts-expect-error a message of the app's model needs its parts
    client.mutate('t1', 'addMessage', { message: { id: 'm3', role: 'user', content: '', createdAt: 1 } });
    // @ts-expect-error the app's mutator's args
    client.mutate('t1', 'setToolResult', { messageId: 'm1', callID: 'c1', result: 1 });
    client.dispose();
  });

  it('types pending writes: a name narrows the args, a misspelt name is no name at all', () => {
    const { client } = chatRig();
    client.mutate('t1', 'addMessage', { message: chatMessage('m1') });
    const items = client.getPendingItems('t1');
    expectTypeOf(items).toEqualTypeOf<TypedPendingWrite<ChatMessage, typeof chatMutators>[]>();
    const [write] = items;
    expect(write?.name).toBe('addMessage');
    if (write?.name === 'addMessage') {
      expectTypeOf(write.args.message.parts).toEqualTypeOf<Part[]>();
      expect(write.args.message.parts).toEqual([{ type: 'text', text: 'message m1' }]);
    }
    // @ts-expect-error no write has that name
    expect(items.some((w) => w.name === 'addMesage')).toBe(false);
    // A typed write is still a PendingWrite for code that handles any write.
    expectTypeOf(write!).toExtend<PendingWrite>();
    client.dispose();
  });

  it('gives parts back typed from the client, the store, the query bridge and the fake backend', async () => {
    const { client, clock, fake } = chatRig();
    client.start();
    await client.ready;
    const queryClient = new QueryClient();
    const disconnect = connectQueryClient(client, queryClient);
    const call: Part = { type: 'tool-call', callId: 'c1', tool: 'weather', input: { city: 'Oslo' } };
    client.mutate('t1', 'addMessage', { message: chatMessage('m1', [{ type: 'text', text: 'Weather?' }, call]) });
    const flushed = client.flushPending();
    await clock.advanceAsync(200);
    expect(await flushed).toBe(1);

    const onServer = fake.thread('t1');
    expectTypeOf(onServer).toEqualTypeOf<Thread<ChatMessage> | undefined>();
    expect(onServer?.messages[0]?.parts).toEqual([{ type: 'text', text: 'Weather?' }, call]);

    const fetched = queryClient.fetchQuery(threadQueryOptions(client, 't1'));
    await clock.advanceAsync(50);
    const data = await fetched;
    expectTypeOf(data).toEqualTypeOf<Thread<ChatMessage> | null>();
    expect(data?.messages[0]?.parts[1]).toEqual(call);
    expectTypeOf(client.store.getState().threads).toEqualTypeOf<Record<string, Thread<ChatMessage>>>();

    // The server fills the tool call's result in: the view shows it.
    fake.backend.serverWrite('t1', 'setToolResult', { messageId: 'm1', callId: 'c1', result: { temp: 21 } });
    await client.syncImmediately('t1').catch(() => {});
    await clock.advanceAsync(100);
    const part = client.getThread('t1')?.messages[0]?.parts[1];
    expect(part).toEqual({ ...call, result: { temp: 21 } });
    disconnect();
    queryClient.clear();
    client.dispose();
  });

  it('types a rolled-back write for onRollback', async () => {
    const { client, clock, rollbacks } = chatRig();
    client.start();
    await client.ready;
    client.mutate('t1', 'setToolResult', { messageId: 'nope', callId: 'c1', result: 1 });
    await clock.advanceAsync(500);
    expect(rollbacks.map(([w, e]) => [w.name, e.code])).toEqual([['setToolResult', 'not-found']]);
    client.dispose();
  });

  it('takes the model as one type argument when there are no mutators of its own', () => {
    const clock = createFakeClock();
    const fake = createFakeBackend<ChatMessage>({ clock });
    const client = createSyncClient<ChatMessage>({ connector: fake.connector, clock, storage: createMemoryStorage() });
    client.mutate('t1', 'addMessage', { message: chatMessage('m1') });
    expectTypeOf(client.getThread('t1')!.messages[0]!.parts).toEqualTypeOf<Part[]>();
    // @ts-expect-error only the built-ins exist
    expect(() => client.mutate('t1', 'setToolResult', { messageId: 'm1', callId: 'c1', result: 1 })).toThrow();
    client.dispose();
  });

  it('offers only the built-ins that need no message field to a model without the default fields', () => {
    interface Note extends BaseMessage {
      body: string;
    }
    const mutators = {
      write(draft: Thread<Note>, args: { id: string; body: string }) {
        draft.messages.push({ id: args.id, body: args.body });
      },
    };
    const clock = createFakeClock();
    const client = createSyncClient({ connector: createFakeBackend({ clock }).connector, clock, storage: createMemoryStorage(), mutators });
    client.mutate('n', 'write', { id: 'a', body: 'hello' });
    client.mutate('n', 'setTitle', { title: 'Notes' });
    client.mutate('n', 'deleteMessage', { messageId: 'a' });
    // @ts-expect-error addMessage needs the default Message fields
    expect(() => client.mutate('n', 'addMessage', { message: { id: 'b', body: 'x' } })).toThrow(/addMessage needs/);
    // @ts-expect-error so does appendDelta
    client.mutate('n', 'appendDelta', { messageId: 'a', text: 'x' });
    expectTypeOf(client.getThread('n')!.messages).toEqualTypeOf<Note[]>();
    client.dispose();
  });

  it('types mutators written inline: the draft from the model, the args from their annotation', () => {
    const clock = createFakeClock();
    const client = createSyncClient({
      connector: createFakeBackend({ clock }).connector,
      clock,
      storage: createMemoryStorage(),
      mutators: {
        pin(draft, args: { messageId: string }) {
          expectTypeOf(draft.messages).toEqualTypeOf<Message[]>();
          draft.title = `pinned ${args.messageId}`;
        },
      },
      onRollback(write) {
        if (write.name === 'pin') expectTypeOf(write.args).toEqualTypeOf<{ messageId: string }>();
      },
    });
    client.mutate('t1', 'pin', { messageId: 'm1' });
    expect(client.getThread('t1')?.title).toBe('pinned m1');
    // @ts-expect-error a typo in the name
    expect(() => client.mutate('t1', 'pinn', { messageId: 'm1' })).toThrow();
    client.dispose();
  });
});
