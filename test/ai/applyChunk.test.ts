import { describe, expect, it } from 'vitest';
import { produce } from 'immer';
import type { UIMessageChunk } from 'ai';
import { aiMutators } from 'syncline/ai';
import { MutationError } from '../../src/model/mutators.js';
import { applyEach, reference, startedThread, stored } from './chunks.js';

const cases: Record<string, UIMessageChunk[]> = {
  text: [{ type: 'start' }, { type: 'text-start', id: 'a' }, { type: 'text-delta', id: 'a', delta: 'Hel' }, { type: 'text-delta', id: 'a', delta: 'lo' }, { type: 'text-end', id: 'a' }, { type: 'finish' }],
  reasoning: [{ type: 'reasoning-start', id: 'r' }, { type: 'reasoning-delta', id: 'r', delta: 'think' }, { type: 'reasoning-end', id: 'r' }],
  tool: [
    { type: 'start-step' },
    { type: 'tool-input-start', toolCallId: 'c1', toolName: 'weather' },
    { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{"city":' },
    { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '"Paris"}' },
    { type: 'tool-input-available', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } },
    { type: 'tool-output-available', toolCallId: 'c1', output: { temp: 20 } },
    { type: 'finish-step' },
  ],
  'tool error': [
    { type: 'tool-input-available', toolCallId: 'c2', toolName: 'x', input: {} },
    { type: 'tool-output-error', toolCallId: 'c2', errorText: 'boom' },
    { type: 'tool-input-error', toolCallId: 'c3', toolName: 'y', input: 1, errorText: 'bad input' },
  ],
  'dynamic tool': [
    { type: 'tool-input-start', toolCallId: 'd1', toolName: 'mcp', dynamic: true },
    { type: 'tool-input-available', toolCallId: 'd1', toolName: 'mcp', input: { q: 1 }, dynamic: true },
    { type: 'tool-output-available', toolCallId: 'd1', output: 'ok', dynamic: true },
  ],
  approval: [
    { type: 'tool-input-available', toolCallId: 'c4', toolName: 'pay', input: {} },
    { type: 'tool-approval-request', approvalId: 'ap1', toolCallId: 'c4' },
    { type: 'tool-approval-response', approvalId: 'ap1', approved: false, reason: 'no' },
    { type: 'tool-output-denied', toolCallId: 'c4' },
  ],
  'data parts replaced by id': [
    { type: 'data-weather', id: 'w', data: { step: 1 } },
    { type: 'data-weather', id: 'w', data: { step: 2 } },
    { type: 'data-note', data: 'no id' },
    { type: 'data-weather', data: 'transient', transient: true },
  ],
  'sources and files': [
    { type: 'source-url', sourceId: 's1', url: 'https://example.com', title: 'Ex' },
    { type: 'source-document', sourceId: 's2', mediaType: 'text/plain', title: 'Doc', filename: 'a.txt' },
    { type: 'file', url: 'data:,x', mediaType: 'text/plain' },
    { type: 'reasoning-file', url: 'data:,y', mediaType: 'text/plain' },
    { type: 'custom', kind: 'openai.thing' },
  ],
  metadata: [
    { type: 'start', messageMetadata: { a: 1, nested: { x: 1 } } },
    { type: 'message-metadata', messageMetadata: { nested: { y: 2 } } },
    { type: 'finish', finishReason: 'stop', messageMetadata: { b: 2 } },
  ],
  'reset-step': [
    { type: 'start-step' },
    { type: 'text-start', id: 'a' },
    { type: 'text-delta', id: 'a', delta: 'dropped' },
    { type: 'reset-step' },
    { type: 'text-start', id: 'b' },
    { type: 'text-end', id: 'b' },
  ],
  'error and abort': [{ type: 'text-start', id: 'a' }, { type: 'error', errorText: 'model failed' }, { type: 'abort', reason: 'user stop' }],
};

describe('applyChunk: every chunk type of the AI SDK union', () => {
  for (const [name, chunks] of Object.entries(cases)) {
    it(`${name}: the stored reply equals readUIMessageStream's message`, async () => {
      expect(stored(chunks)).toEqual(await reference(chunks));
    });
  }

  it('a text delta is one append op the size of the token, not a rewrite of the message', () => {
    const { ops } = applyEach([{ type: 'text-start', id: 'a' }, { type: 'text-delta', id: 'a', delta: 'tok' }]);
    expect(ops[1]).toEqual([{ op: 'append', at: 0, id: 'r1', path: ['parts', 0, 'text'], text: 'tok' }]);
  });

  it('reasoning deltas and tool input deltas append to one string', () => {
    const { ops } = applyEach([
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'hm' },
      { type: 'tool-input-start', toolCallId: 'c', toolName: 't', inputEncoding: 'text' },
      { type: 'tool-input-delta', toolCallId: 'c', inputTextDelta: 'ab' },
      { type: 'tool-input-delta', toolCallId: 'c', inputTextDelta: 'cd' },
    ]);
    expect(ops[1]).toEqual([{ op: 'append', at: 0, id: 'r1', path: ['parts', 0, 'text'], text: 'hm' }]);
    expect(ops[4]).toContainEqual({ op: 'append', at: 0, id: 'r1', path: ['parts', 1, 'rawInput'], text: 'cd' });
  });

  it('error and abort chunks mark the run', () => {
    const { thread } = applyEach(cases['error and abort']!);
    expect(thread.messages[0]!.run).toMatchObject({ status: 'aborted', errorText: 'user stop' });
  });

  it('unknown chunk types and chunks for a missing part are kept, never thrown', () => {
    const odd = [{ type: 'future-chunk', x: 1 }, { type: 'text-delta', id: 'nope', delta: 'x' }, { type: 'tool-output-available', toolCallId: '__proto__', output: 1 }];
    const { thread } = applyEach(odd);
    expect(thread.messages[0]!.parts).toEqual([]);
    expect(thread.messages[0]!.run!.kept).toEqual(odd);
  });

  it('a chunk that is not an object with a string type is refused with invalid-args, the thread unchanged', () => {
    const before = startedThread();
    for (const bad of [null, 'text', { type: 3 }]) {
      let after = before;
      expect(() => (after = produce(before, (d) => aiMutators.applyChunks(d, { messageId: 'r1', chunks: [bad] })))).toThrow(MutationError);
      expect(after).toBe(before);
    }
    expect(() => produce(before, (d) => aiMutators.applyChunks(d, { messageId: 'r1', chunks: 'x' as never }))).toThrow(/array/);
    expect(() => produce(before, (d) => aiMutators.applyChunks(d, { messageId: 'nope', chunks: [] }))).toThrow(/startReply/);
  });

  it('addUIMessage is idempotent by id and refuses a message without parts', () => {
    const message = { id: 'u1', role: 'user' as const, parts: [{ type: 'text', text: 'hi' }] };
    const once = produce(startedThread(), (d) => aiMutators.addUIMessage(d, { message }));
    const twice = produce(once, (d) => aiMutators.addUIMessage(d, { message: { ...message, parts: [] } }));
    expect(twice.messages.filter((m) => m.id === 'u1')).toEqual([message]);
    expect(() => produce(once, (d) => aiMutators.addUIMessage(d, { message: { id: 'u2', role: 'user' } as never }))).toThrow(MutationError);
  });

  it('a run that ended refuses later chunks (run-ended) and a late complete does not undo a stop', () => {
    let thread = produce(startedThread(), (d) => aiMutators.setRunStatus(d, { messageId: 'r1', status: 'aborted' }));
    const late = () => produce(thread, (d) => aiMutators.applyChunks(d, { messageId: 'r1', chunks: [{ type: 'text-start', id: 'a' }] }));
    expect(late).toThrow(expect.objectContaining({ name: 'MutationError', code: 'run-ended' }));
    thread = produce(thread, (d) => aiMutators.setRunStatus(d, { messageId: 'r1', status: 'complete' }));
    expect(thread.messages[0]!.parts).toEqual([]);
    expect(thread.messages[0]!.run!.status).toBe('aborted');
    expect(() => produce(thread, (d) => aiMutators.setRunStatus(d, { messageId: 'r1', status: 'done' as never }))).toThrow(MutationError);
  });
  it('regenerateReply drops every message after the user message; bad args and a missing user message are refused', () => {
    const user = { id: 'u1', role: 'user' as const, parts: [{ type: 'text' as const, text: 'hi' }] };
    let thread = produce(startedThread(), (d) => {
      d.messages.unshift(user);
    });
    const count = thread.messages.length;
    expect(count).toBeGreaterThan(1);
    thread = produce(thread, (d) => aiMutators.regenerateReply(d, { userMessageId: 'u1', replyId: 'reply-u1-2' }));
    expect(thread.messages.map((m) => m.id)).toEqual(['u1']);
    const refused = (args: unknown) => () => produce(thread, (d) => aiMutators.regenerateReply(d, args as never));
    expect(refused({ userMessageId: 'u1' })).toThrow(expect.objectContaining({ code: 'invalid-args' }));
    expect(refused({ userMessageId: 'nope', replyId: 'r' })).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(refused(null)).toThrow(MutationError);
  });
});
