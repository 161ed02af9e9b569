import fc from 'fast-check';
import { produce } from 'immer';
import * as ai from 'ai';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { aiMutators, toUIMessage, type SyncUIMessage } from 'syncline/ai';
import { diffThreads } from '../../src/model/diffThreads.js';
import type { ThreadOp } from '../../src/model/ops.js';
import type { Thread } from '../../src/model/types.js';

/** A thread holding one started reply `r1`. */
export function startedThread(): Thread<SyncUIMessage> {
  const empty: Thread<SyncUIMessage> = { id: 't1', v: 0, messages: [], createdAt: 0 };
  return produce(empty, (d) => aiMutators.startReply(d, { messageId: 'r1' }));
}

/** Applies chunks one write each, as the server would; returns the thread and the ops of each write. */
export function applyEach(chunks: readonly unknown[]): { thread: Thread<SyncUIMessage>; ops: ThreadOp[][] } {
  let thread = startedThread();
  const ops: ThreadOp[][] = [];
  for (const chunk of chunks) {
    const next = produce(thread, (d) => aiMutators.applyChunks(d, { messageId: 'r1', chunks: [chunk] }));
    ops.push(diffThreads(thread, next));
    thread = next;
  }
  return { thread, ops };
}

/**
 * The AI SDK major these tests run against: 7 in the `unit` project (the main install), 6 in
 * `ai6` (test/ai6). `isToolOrDynamicToolUIPart` left the SDK's exports in 7.
 */
export const SDK: 6 | 7 = 'isToolOrDynamicToolUIPart' in ai ? 6 : 7;

/** Chunk types AI SDK 6 does not have (its reader ignores them): a server on 6 never sends them. */
const SDK7_ONLY = new Set<unknown>(['reasoning-file', 'custom', 'reset-step', 'tool-approval-response']);

/** The chunks a server on the SDK under test can send. */
export const forSdk = <C>(chunks: readonly C[]): readonly C[] =>
  SDK === 6 ? chunks.filter((c) => !SDK7_ONLY.has((c as { type?: unknown }).type)) : chunks;

/**
 * syncline stores replies in AI SDK 7's shape (docs/ai.md). The one place 6 builds another: a
 * static tool call that failed names its input `rawInput` where 7 says `input`, and the reverse
 * after an output error. Under 6 both sides are compared with that one field merged.
 */
function sameToolErrorField(message: unknown): unknown {
  const parts = (message as { parts?: unknown } | null)?.parts;
  if (SDK !== 6 || !Array.isArray(parts)) return message;
  for (const part of parts as Record<string, unknown>[]) {
    if (part.state !== 'output-error' || typeof part.type !== 'string' || !part.type.startsWith('tool-')) continue;
    const input = part.input ?? part.rawInput;
    delete part.rawInput;
    delete part.input;
    if (input !== undefined) part.input = input;
  }
  return message;
}

/** JSON's view of a value: keys holding undefined are absent, as on the wire. */
export function json(value: unknown): unknown {
  return sameToolErrorField(JSON.parse(JSON.stringify(value)) as unknown);
}

/** The stored reply as useChat sees it. */
export function stored(chunks: readonly unknown[]): unknown {
  return json(toUIMessage(applyEach(forSdk(chunks)).thread.messages[0]!));
}

/** What the AI SDK itself makes of the chunks: the last message `readUIMessageStream` yields. */
export async function reference(chunks: readonly UIMessageChunk[]): Promise<unknown> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of forSdk(chunks)) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ message: { id: 'r1', role: 'assistant', parts: [] }, stream })) last = message;
  return json(last ?? { id: 'r1', role: 'assistant', parts: [] });
}

/** A step of a random stream; `valid` turns a list of them into a chunk sequence the SDK accepts. */
export const step = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), n: fc.nat(3), delta: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('reasoning' as const), n: fc.nat(3), delta: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('data' as const), n: fc.nat(2), data: fc.integer() }),
  fc.record({ kind: fc.constant('tool' as const), n: fc.nat(3), output: fc.boolean(), dynamic: fc.boolean() }),
  fc.record({ kind: fc.constant('source' as const), n: fc.nat(3) }),
  fc.record({ kind: fc.constant('step' as const) }),
  fc.record({ kind: fc.constant('metadata' as const), value: fc.integer() }),
);
export type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

export function valid(steps: Step[]): UIMessageChunk[] {
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
