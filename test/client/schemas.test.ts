import { SyncError, type Thread } from 'syncline';
import { z } from 'zod';
import { chatMessage, chatMutators, type ChatMessage } from '../types/chatModel.js';
import { rig } from '../helpers.js';

// zod stands for any Standard Schema library (valibot and arktype carry the same `~standard`).
const part = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool-call'), callId: z.string(), tool: z.string(), input: z.unknown(), result: z.unknown().optional() }),
]);
const message = z.object({
  id: z.string(),
  role: z.enum(['user', 'assistant', 'tool', 'system']),
  content: z.string(),
  createdAt: z.number(),
  status: z.enum(['streaming', 'done', 'error']).optional(),
  parts: z.array(part),
  flagged: z.boolean().optional(),
});
const thread = z.object({
  id: z.string(),
  v: z.number(),
  title: z.string().optional(),
  createdAt: z.number(),
  meta: z.record(z.string(), z.unknown()).optional(),
  messages: z.array(message),
});

const schemas = {
  thread,
  args: { addMessage: z.object({ message }), setToolResult: z.object({ messageId: z.string(), callId: z.string(), result: z.unknown() }) },
};

describe('schemas: run-time validation by any Standard Schema', () => {
  it('refuses args its schema refuses: an invalid-args SyncError naming the path, nothing queued', async () => {
    const { client } = await rig({ mutators: chatMutators, schemas }, { mutators: chatMutators });
    const bad = { message: { ...chatMessage('m1'), parts: [{ type: 'text', text: 7 }] } } as unknown as { message: ChatMessage };
    let caught: unknown;
    try {
      client.mutate('t1', 'addMessage', bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SyncError);
    expect(caught).toMatchObject({ kind: 'rejected', code: 'invalid-args', retryable: false });
    expect((caught as SyncError).message).toContain('addMessage: args.message.parts[0].text');
    expect(client.getPendingItems()).toEqual([]);
    expect(client.getThread('t1')).toBeUndefined();

    // Valid args pass through as given; mutators without a schema are not checked.
    client.mutate('t1', 'addMessage', { message: chatMessage('m1') });
    client.mutate('t1', 'flag', { messageId: 'm1' });
    expect(client.getThread('t1')?.messages[0]).toMatchObject({ id: 'm1', flagged: true });
  });

  it('refuses an asynchronous schema with a message that says so', async () => {
    const asyncSchema = { '~standard': { version: 1 as const, vendor: 'test', validate: async () => ({ value: { title: 'x' } }) } };
    const { client } = await rig({ schemas: { args: { setTitle: asyncSchema } } });
    expect(() => client.mutate('t1', 'setTitle', { title: 'x' })).toThrow(/synchronous/);
  });

  it('a server thread its schema refuses is a protocol error, and the store keeps what it had', async () => {
    const { client, fake, clock, until } = await rig({ mutators: chatMutators, schemas }, { mutators: chatMutators });
    client.watch('t1');
    client.mutate('t1', 'addMessage', { message: chatMessage('m1') });
    await until(() => client.getThread('t1')?.v === 1);
    const before = client.store.getState().threads.t1 as Thread<ChatMessage>;
    expect(before.messages[0]?.parts).toHaveLength(1);

    // Another writer leaves a message the app's model does not allow (no parts).
    fake.backend.serverWrite('t1', 'addMessage', { message: { id: 'm2', role: 'assistant', content: 'x', createdAt: 2 } });
    const errors: SyncError[] = [];
    const pulled = client.syncImmediately('t1').catch((error: SyncError) => errors.push(error));
    await clock.advanceAsync(100);
    await pulled;
    expect(errors[0]).toMatchObject({ kind: 'protocol', retryable: true });
    expect(errors[0]?.message).toMatch(/POST \/pull: thread "t1"\.messages\[1\]\.parts/);
    expect(client.store.getState().threads.t1).toBe(before);

    // The stream brings it too, and is refused the same way.
    await clock.advanceAsync(2000);
    expect(client.store.getState().threads.t1).toBe(before);
    expect(client.getHealthStatus().degraded).toBe(true);
  });
});
