import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { produce } from 'immer';
import type { UIMessageChunk } from 'ai';
import { aiMutators, followReply, toUIMessage, type SyncUIMessage } from 'syncline/ai';
import type { Thread } from '../../src/model/types.js';
import { json, reference, startedThread, step, valid } from './chunks.js';

// The transport's side of a reply (src/ai/replyChunks.ts): a stored reply followed as it grows,
// turned back into chunks, makes the AI SDK build the message the thread holds.

/** Applies `chunks` to the stored reply, reading it through a follower after each write in `cuts`. */
function follow(chunks: readonly UIMessageChunk[], cuts: ReadonlySet<number>, status: 'complete' | 'aborted' | 'error' = 'complete') {
  const follower = followReply();
  const sent: unknown[] = [];
  let thread: Thread<SyncUIMessage> = startedThread();
  chunks.forEach((chunk, i) => {
    thread = produce(thread, (d) => aiMutators.applyChunks(d, { messageId: 'r1', chunks: [chunk] }));
    if (cuts.has(i)) sent.push(...follower.next(thread.messages[0]!));
  });
  thread = produce(thread, (d) => aiMutators.setRunStatus(d, { messageId: 'r1', status }));
  sent.push(...follower.next(thread.messages[0]!));
  return { sent: sent as UIMessageChunk[], reply: thread.messages[0]!, follower };
}

describe('followReply', () => {
  it('for random chunk sequences read at random moments, the AI SDK builds the stored reply from what it is sent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 20 }), async (steps, cutAt) => {
        // The model's own finish becomes its metadata alone: the run's end (setRunStatus) sends
        // the finish, and the metadata makes readUIMessageStream yield a trailing step-start.
        const chunks = valid(steps).map((c): UIMessageChunk => (c.type === 'finish' ? { type: 'message-metadata', messageMetadata: c.messageMetadata } : c));
        const { sent, reply } = follow(chunks, new Set(cutAt));
        expect(await reference(sent)).toEqual(json(toUIMessage(reply)));
        expect(sent[0]).toEqual({ type: 'start', messageId: 'r1' });
        expect(sent.at(-1)?.type).toBe('finish');
      }),
      { numRuns: 200 },
    );
  });

  it('sends each token once: a text part read after every delta becomes one delta per token', () => {
    const chunks: UIMessageChunk[] = [{ type: 'text-start', id: 'a' }, ...['Hel', 'lo', ' world'].map((delta) => ({ type: 'text-delta' as const, id: 'a', delta })), { type: 'text-end', id: 'a' }];
    const { sent } = follow(chunks, new Set(chunks.keys()));
    expect(sent.filter((c) => c.type === 'text-delta').map((c) => (c as { delta: string }).delta)).toEqual(['Hel', 'lo', ' world']);
  });

  it('a reply read first part-way (after a reload) is sent whole from its start, once', async () => {
    const chunks: UIMessageChunk[] = [{ type: 'text-start', id: 'a' }, { type: 'text-delta', id: 'a', delta: 'half' }, { type: 'text-delta', id: 'a', delta: ' and the rest' }, { type: 'text-end', id: 'a' }];
    const { sent, reply } = follow(chunks, new Set([1]));
    expect(sent.filter((c) => c.type === 'start')).toHaveLength(1);
    expect(await reference(sent)).toEqual(json(toUIMessage(reply)));
  });

  it('a stopped run ends with abort, a failed one with error then finish; nothing after the end', () => {
    const text: UIMessageChunk[] = [{ type: 'text-start', id: 'a' }, { type: 'text-delta', id: 'a', delta: 'x' }];
    const stopped = follow(text, new Set([1]), 'aborted');
    expect(stopped.sent.at(-1)).toEqual({ type: 'abort' });
    expect(stopped.follower.ended()).toBe(true);
    expect(stopped.follower.next(stopped.reply)).toEqual([]);
    const failed = follow([...text, { type: 'error', errorText: 'the model failed' }], new Set(), 'error');
    expect(failed.sent.slice(-2)).toEqual([{ type: 'error', errorText: 'the model failed' }, { type: 'finish' }]);
  });
});
