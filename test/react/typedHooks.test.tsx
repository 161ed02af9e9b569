import { act, cleanup, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryStorage, createSyncClient, type Thread, type TypedPendingWrite } from 'syncline';
import { createSyncHooks, SyncProvider, usePendingItems, useThread } from 'syncline/react';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { chatMessage, chatMutators, type ChatMessage, type Part } from '../types/chatModel.js';

// Compile-time checks as well as a run: `tsc -p tsconfig.json` (run by `npm test`) type-checks
// this file, so each `@ts-expect-error` must meet an error.

function chatClient() {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock, mutators: chatMutators });
  const client = createSyncClient({
    connector: fake.connector,
    clock,
    environment: createFakeEnvironment(clock),
    storage: createMemoryStorage(),
    mutators: chatMutators,
  });
  return { clock, fake, client };
}

// Once per app, next to the client: the hooks learn its message type and mutators.
const typeOnly = chatClient();
const chat = createSyncHooks(typeOnly.client);
typeOnly.client.dispose();

describe('createSyncHooks: the hooks typed with the app model', () => {
  let rig: ReturnType<typeof chatClient>;
  beforeEach(() => (rig = chatClient()));
  afterEach(() => {
    cleanup();
    rig.client.dispose();
  });
  const wrapper = ({ children }: { children: ReactNode }) => <SyncProvider client={rig.client}>{children}</SyncProvider>;

  test('useThread gives back parts and checks mutate against the built-ins and the app mutators', async () => {
    const { result } = renderHook(() => chat.useThread('t1'), { wrapper });
    await act(() => rig.client.ready);
    expectTypeOf(result.current.thread).toEqualTypeOf<Thread<ChatMessage> | undefined>();
    const call: Part = { type: 'tool-call', callId: 'c1', tool: 'search', input: 'q' };
    await act(async () => {
      result.current.mutate('addMessage', { message: chatMessage('m1', [call]) });
      result.current.mutate('setToolResult', { messageId: 'm1', callId: 'c1', result: 'found' });
    });
    expect(result.current.thread?.messages[0]?.parts).toEqual([{ ...call, result: 'found' }]);

    const { mutate } = result.current;
    // @ts-expect-error a typo in the name
    expect(() => mutate('setToolResul', { messageId: 'm1', callId: 'c1', result: 1 })).toThrow();
    // @ts-expect-error a role the model does not have
    expect(() => mutate('addMessage', { message: { ...chatMessage('m2'), role: 'robot' } })).toThrow();
    // Compile-time only (run, it would queue a write that changes nothing):
    // @ts-expect-error a typo in the args
    const typo = () => mutate('flag', { mesageId: 'm1' });
    expect(typo).toBeTypeOf('function');
  });

  test('usePendingItems lists typed writes: the name narrows the args', async () => {
    const { result } = renderHook(() => chat.usePendingItems('t1'), { wrapper });
    await act(() => rig.client.ready);
    await act(async () => {
      rig.client.mutate('t1', 'addMessage', { message: chatMessage('m1') });
    });
    const items = result.current.items;
    expectTypeOf(items).toEqualTypeOf<TypedPendingWrite<ChatMessage, typeof chatMutators>[]>();
    const [write] = items;
    if (write?.name === 'addMessage') expectTypeOf(write.args.message.parts).toEqualTypeOf<Part[]>();
    expect(write?.name === 'addMessage' && write.args.message.parts).toEqual([{ type: 'text', text: 'message m1' }]);
    type State = Parameters<Parameters<typeof chat.useSyncSelector>[0]>[0];
    expectTypeOf<State['threads']>().toEqualTypeOf<Record<string, Thread<ChatMessage>>>();
    // @ts-expect-error no write has that name
    expect(items.filter((w) => w.name === 'addMesage')).toEqual([]);
  });
});

describe('the plain hooks: the default model', () => {
  test('useThread().mutate and usePendingItems are checked against the built-ins', async () => {
    const { client, clock } = chatClient();
    const wrapper = ({ children }: { children: ReactNode }) => <SyncProvider client={client}>{children}</SyncProvider>;
    const { result, unmount } = renderHook(() => ({ thread: useThread('t1'), pending: usePendingItems('t1') }), { wrapper });
    await act(() => client.ready);
    await act(async () => {
      result.current.thread.mutate('setTitle', { title: 'hi' });
    });
    expect(result.current.thread.thread?.title).toBe('hi');
    // @ts-expect-error a typo in a built-in name
    expect(() => result.current.thread.mutate('setTitl', { title: 'x' })).toThrow();
    // @ts-expect-error a typo in a built-in's args
    expect(() => result.current.thread.mutate('setTitle', { titel: 'x' })).toThrow();
    // @ts-expect-error no built-in has that name
    expect(result.current.pending.items.some((w) => w.name === 'setTitl')).toBe(false);
    await act(() => clock.advanceAsync(0));
    unmount();
    client.dispose();
  });
});
