import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { UIMessageChunk } from 'ai';
import { reference, stored } from './chunks.js';

/** A step of a random stream; `valid` turns a list of them into a chunk sequence the SDK accepts. */
const step = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), n: fc.nat(3), delta: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('reasoning' as const), n: fc.nat(3), delta: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('data' as const), n: fc.nat(2), data: fc.integer() }),
  fc.record({ kind: fc.constant('tool' as const), n: fc.nat(3), output: fc.boolean(), dynamic: fc.boolean() }),
  fc.record({ kind: fc.constant('source' as const), n: fc.nat(3) }),
  fc.record({ kind: fc.constant('step' as const) }),
  fc.record({ kind: fc.constant('metadata' as const), value: fc.integer() }),
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function valid(steps: Step[]): UIMessageChunk[] {
  const chunks: UIMessageChunk[] = [{ type: 'start' }];
  const open = { text: new Set<string>(), reasoning: new Set<string>() };
  let calls = 0;
  for (const s of steps) {
    switch (s.kind) {
      case 'text':
      case 'reasoning': {
        const id = `${s.kind}${s.n}`;
        const set = open[s.kind];
        if (!set.has(id)) {
          set.add(id);
          chunks.push({ type: `${s.kind}-start`, id });
        } else if (s.delta === '') {
          set.delete(id);
          chunks.push({ type: `${s.kind}-end`, id });
        } else chunks.push({ type: `${s.kind}-delta`, id, delta: s.delta });
        break;
      }
      case 'data':
        chunks.push({ type: 'data-x', id: `d${s.n}`, data: s.data });
        break;
      case 'tool': {
        const toolCallId = `c${calls++}`;
        const toolName = `t${s.n}`;
        chunks.push({ type: 'tool-input-start', toolCallId, toolName, dynamic: s.dynamic });
        chunks.push({ type: 'tool-input-delta', toolCallId, inputTextDelta: '{"n":' });
        chunks.push({ type: 'tool-input-delta', toolCallId, inputTextDelta: `${s.n}}` });
        chunks.push({ type: 'tool-input-available', toolCallId, toolName, input: { n: s.n }, dynamic: s.dynamic });
        chunks.push(s.output ? { type: 'tool-output-available', toolCallId, output: s.n } : { type: 'tool-output-error', toolCallId, errorText: 'no' });
        break;
      }
      case 'source':
        chunks.push({ type: 'source-url', sourceId: `s${s.n}`, url: `https://example.com/${s.n}` });
        break;
      case 'step':
        chunks.push({ type: 'start-step' });
        break;
      case 'metadata':
        chunks.push({ type: 'message-metadata', messageMetadata: { value: s.value } });
    }
  }
  for (const id of open.text) chunks.push({ type: 'text-end', id });
  for (const id of open.reasoning) chunks.push({ type: 'reasoning-end', id });
  // readUIMessageStream yields on its writes only, and `start-step` does not write: a metadata
  // chunk at the end makes its last yield the whole state, a trailing step-start included.
  chunks.push({ type: 'finish', finishReason: 'stop', messageMetadata: { done: true } });
  return chunks;
}

describe('applyChunk against the AI SDK', () => {
  it('for random valid chunk sequences, the stored reply equals what readUIMessageStream yields', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const chunks = valid(steps);
        expect(stored(chunks)).toEqual(await reference(chunks));
      }),
      { numRuns: 200 },
    );
  });
});
