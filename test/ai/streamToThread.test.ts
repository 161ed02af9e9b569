import { afterEach, describe, expect, it } from 'vitest';
import { streamText } from 'ai';
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test';
import { aiMutators } from 'syncline/ai';
import { readHistory, startRun, streamToThread } from 'syncline/ai/server';
import { createMemoryStore } from '../../src/server/memoryStore.js';
import { createSyncHandler } from '../../src/server/createSyncHandler.js';
import type { SyncHandler } from '../../src/server/syncHandlerTypes.js';
import type { Mutator } from '../../src/model/types.js';

let handler: SyncHandler | undefined;
afterEach(async () => {
  await handler?.close();
  handler = undefined;
});

function setup() {
  const store = createMemoryStore();
  handler = createSyncHandler({ store, mutators: aiMutators as unknown as Record<string, Mutator> });
  return { store, handler };
}

let calls = 0;
function modelStream(words: string[]) {
  calls++;
  const model = new MockLanguageModelV3({
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'text-start' as const, id: 't' },
          ...words.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
          { type: 'text-end' as const, id: 't' },
          { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: undefined }, usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: words.length, text: words.length, reasoning: 0 } } },
        ],
      }),
    }),
  });
  return streamText({ model, prompt: 'hi' }).toUIMessageStream();
}

describe('streamToThread', () => {
  it('stores a mock model reply complete and in order, and reads it back as history', async () => {
    const { store, handler } = setup();
    const words = Array.from({ length: 50 }, (_, i) => `w${i} `);
    const reply = await streamToThread({ handler, store, threadId: 't1', messageId: 'r1', stream: modelStream(words) });
    expect(reply?.run?.status).toBe('complete');
    const history = await readHistory(store, 't1');
    expect(history).toHaveLength(1);
    expect(history[0]!.parts.filter((p) => p.type === 'text').map((p) => p.text)).toEqual([words.join('')]);
    expect(history[0]).not.toHaveProperty('run');
  });

  it('a stream that throws marks the run error with its message', async () => {
    const { store, handler } = setup();
    const stream = new ReadableStream({ pull: (c) => c.error(new Error('model down')) });
    const reply = await streamToThread({ handler, store, threadId: 't1', messageId: 'r1', stream });
    expect(reply?.run).toMatchObject({ status: 'error', errorText: 'model down' });
  });

  it('a stop stored through another instance stops the model here at its next chunk (one store, two handlers)', async () => {
    const store = createMemoryStore();
    const mutators = aiMutators as unknown as Record<string, Mutator>;
    const a = createSyncHandler({ store, mutators });
    const b = createSyncHandler({ store, mutators });
    let pulled = 0;
    let cancelled = false;
    let release!: () => void;
    const stopped = new Promise<void>((resolve) => (release = resolve));
    // A model that streams a token each time it is asked, for as long as it is read.
    const stream = new ReadableStream({
      async pull(c) {
        if (pulled === 0) c.enqueue({ type: 'text-start', id: 't' });
        else c.enqueue({ type: 'text-delta', id: 't', delta: `w${pulled} ` });
        if (++pulled === 5) release();
        await new Promise((resolve) => setTimeout(resolve, 2));
      },
      cancel() {
        cancelled = true;
      },
    });
    try {
      const reply = streamToThread({ handler: a, store, threadId: 't1', messageId: 'r1', stream });
      await stopped;
      await b.serverWrite('t1', 'setRunStatus', { messageId: 'r1', status: 'aborted' });
      const final = await reply;
      expect(cancelled).toBe(true);
      expect(final?.run?.status).toBe('aborted');
      expect(pulled).toBeLessThan(50);
      // What was stored before the stop stays; nothing after it.
      const text = final!.parts.filter((p) => p.type === 'text').map((p) => p.text).join('');
      expect((await store.thread('t1'))!.messages).toHaveLength(1);
      expect(text).toMatch(/^(w\d+ )*$/);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a quiet model beats (run.beatAt), and a stop stored elsewhere stops it at its next beat, chunk or not', async () => {
    const store = createMemoryStore();
    const mutators = aiMutators as unknown as Record<string, Mutator>;
    const a = createSyncHandler({ store, mutators });
    const b = createSyncHandler({ store, mutators });
    let cancelled = false;
    // A model thinking: it opens its text and then sends nothing, until cancelled.
    const stream = new ReadableStream({
      start: (c) => c.enqueue({ type: 'text-start', id: 't' }),
      cancel: () => void (cancelled = true),
    });
    try {
      const reply = streamToThread({ handler: a, store, threadId: 't1', messageId: 'r1', stream, heartbeatMs: 20 });
      const beatAt = async () => ((await store.thread('t1'))?.messages[0] as { run?: { beatAt?: number } } | undefined)?.run?.beatAt;
      for (let i = 0; i < 200 && (await beatAt()) === undefined; i++) await new Promise((r) => setTimeout(r, 10));
      const first = await beatAt();
      expect(first).toBeGreaterThan(0);
      for (let i = 0; i < 200 && (await beatAt()) === first; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await beatAt()).toBeGreaterThan(first!);
      await b.serverWrite('t1', 'setRunStatus', { messageId: 'r1', status: 'aborted' });
      expect((await reply)?.run?.status).toBe('aborted');
      expect(cancelled).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a second start for the same user message does not run the model again', async () => {
    const { store, handler } = setup();
    calls = 0;
    const run = () => modelStream(['a', 'b']);
    const [first, concurrent] = await Promise.all([
      startRun({ handler, store, threadId: 't1', userMessageId: 'u1', run }),
      startRun({ handler, store, threadId: 't1', userMessageId: 'u1', run }),
    ]);
    const later = await startRun({ handler, store, threadId: 't1', userMessageId: 'u1', run });
    expect(calls).toBe(1);
    expect(concurrent).toEqual(first);
    expect(later).toEqual(first);
    expect((await readHistory(store, 't1')).filter((m) => m.id === 'reply-u1')).toHaveLength(1);
  });
});
