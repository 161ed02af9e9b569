import { isRecord } from '../model/isRecord.js';
import { isToolPart } from './toolParts.js';
import type { SyncUIMessage, UIPart } from './uiMessage.js';

/*
 * The other way round from applyChunk.ts: a stored reply, as it grows, turned back into the
 * UIMessageChunks that make `useChat` build the same message (docs/ai.md). The transport hands
 * them to the AI SDK, which applies them as it applies a model's stream; what was sent is
 * remembered, so each change of the thread sends only what is new (a token is one delta).
 */

type Chunk = { type: string } & Record<string, unknown>;

/** What the AI SDK was told of one part so far. */
interface SentPart {
  type: string;
  /** Text and reasoning: characters sent. Tool input: characters of the raw input sent. */
  length: number;
  /** The part's state, or for other parts its JSON, when last sent. */
  state: string;
  /** The chunk id text and reasoning deltas name. */
  id: string;
  /** The part object last read: the thread shares unchanged parts (immer), so the same object needs no look. */
  ref?: UIPart;
}

export interface ReplyFollower {
  /** The chunks that bring the AI SDK from what it was sent to `message`; [] when nothing changed. */
  next(message: SyncUIMessage): Chunk[];
  /** Whether the run's end was sent (`finish`, `abort` or `error`): nothing follows. */
  ended(): boolean;
}

const defined = (fields: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
};

function toolName(part: UIPart): string {
  return part.type === 'dynamic-tool' ? String(part.toolName) : part.type.slice('tool-'.length);
}

/** The chunks for a tool part from the state sent (`from`) to its state now. */
function toolChunks(part: UIPart, sent: SentPart | undefined, rawInput: string | undefined): Chunk[] {
  const out: Chunk[] = [];
  const dynamic = part.type === 'dynamic-tool';
  const call = defined({ toolCallId: part.toolCallId, toolName: toolName(part), dynamic: dynamic || undefined, title: part.title, providerExecuted: part.providerExecuted });
  const state = String(part.state);
  if (!sent && (state === 'input-streaming' || rawInput !== undefined)) {
    out.push({ type: 'tool-input-start', ...call, ...defined({ inputEncoding: part.inputEncoding, toolMetadata: part.toolMetadata }) });
  }
  if (state === 'input-streaming') {
    const text = rawInput ?? '';
    const from = sent?.length ?? 0;
    if (text.length > from) out.push({ type: 'tool-input-delta', toolCallId: part.toolCallId, inputTextDelta: text.slice(from) });
    return out;
  }
  if (sent?.state === state) return out;
  const inputSent = sent !== undefined && sent.state !== 'input-streaming';
  if (!inputSent && state !== 'output-error') {
    out.push({ type: 'tool-input-available', ...call, input: part.input, ...defined({ providerMetadata: part.callProviderMetadata, toolMetadata: part.toolMetadata }) });
  }
  const approval = isRecord(part.approval) ? part.approval : undefined;
  switch (state) {
    case 'approval-requested':
      out.push({ type: 'tool-approval-request', toolCallId: part.toolCallId, approvalId: approval?.id, ...defined({ approvalDescriptor: approval?.descriptor, reason: approval?.requestReason }) });
      break;
    case 'approval-responded':
      out.push({ type: 'tool-approval-response', approvalId: approval?.id, approved: approval?.approved, ...defined({ reason: approval?.reason }) });
      break;
    case 'output-available':
      out.push({ type: 'tool-output-available', toolCallId: part.toolCallId, output: part.output, ...defined({ preliminary: part.preliminary, providerExecuted: part.providerExecuted, providerMetadata: part.resultProviderMetadata }) });
      break;
    case 'output-error':
      out.push(
        inputSent
          ? { type: 'tool-output-error', toolCallId: part.toolCallId, errorText: part.errorText, ...defined({ providerExecuted: part.providerExecuted }) }
          : { type: 'tool-input-error', ...call, input: part.input, errorText: part.errorText },
      );
      break;
    case 'output-denied':
      out.push({ type: 'tool-output-denied', toolCallId: part.toolCallId });
  }
  return out;
}

/** The chunk that makes a part which only ever arrives whole (a source, a file, a step…). */
function wholePart(part: UIPart): Chunk | null {
  switch (part.type) {
    case 'step-start':
      return { type: 'start-step' };
    case 'source-url':
    case 'source-document':
    case 'file':
    case 'reasoning-file':
    case 'custom':
    case 'steering-message':
      return { ...(part as Chunk) };
    default:
      return part.type.startsWith('data-') ? { ...(part as Chunk) } : null;
  }
}

function textChunks(part: UIPart, index: number, sent: SentPart | undefined): { chunks: Chunk[]; sent: SentPart } {
  const kind = part.type as 'text' | 'reasoning';
  const id = sent?.id ?? (typeof part.id === 'string' ? part.id : `${kind}-${index}`);
  const text = String(part.text ?? '');
  const chunks: Chunk[] = [];
  if (!sent) chunks.push({ type: `${kind}-start`, id, ...defined({ providerMetadata: part.state === 'done' ? undefined : part.providerMetadata }) });
  const from = sent?.length ?? 0;
  if (text.length > from) chunks.push({ type: `${kind}-delta`, id, delta: text.slice(from) });
  const state = String(part.state);
  if (state === 'done' && sent?.state !== 'done') chunks.push({ type: `${kind}-end`, id, ...defined({ providerMetadata: part.providerMetadata }) });
  return { chunks, sent: { type: kind, length: text.length, state, id } };
}

/**
 * Follows one reply: `next(message)` after each change of the thread gives the chunks to send.
 * The first call (on a reply already part-way, e.g. after a reload) sends all of it from `start`,
 * so a transport whose `resumeStreamIsReplay` is true never duplicates a part.
 */
export function followReply(): ReplyFollower {
  const sent: SentPart[] = [];
  let started = false;
  let ended = false;
  let metadata = 'null';
  return {
    ended: () => ended,
    next(message) {
      if (ended) return [];
      const out: Chunk[] = [];
      if (!started) {
        started = true;
        out.push({ type: 'start', messageId: message.id });
      }
      // A `reset-step` dropped the parts of the current step: the SDK drops them too.
      if (message.parts.length < sent.length) {
        out.push({ type: 'reset-step' });
        sent.splice(message.parts.length);
      }
      message.parts.forEach((part, index) => {
        const was = sent[index];
        if (was?.ref === part) return; // a token changes one part: the others are the same objects
        if (part.type === 'text' || part.type === 'reasoning') {
          const made = textChunks(part, index, was);
          out.push(...made.chunks);
          sent[index] = { ...made.sent, ref: part };
        } else if (isToolPart(part)) {
          const raw = typeof part.rawInput === 'string' ? part.rawInput : message.run?.tools[String(part.toolCallId)]?.text;
          out.push(...toolChunks(part, was, raw));
          sent[index] = { type: part.type, length: raw?.length ?? 0, state: String(part.state), id: '', ref: part };
        } else {
          const json = JSON.stringify(part);
          if (was?.state === json) {
            sent[index] = { ...was, ref: part };
            return;
          }
          const chunk = wholePart(part);
          // A part this version cannot make from chunks stays out of the live view; the stored
          // thread (useThread, initial messages after a reload) still has it.
          if (chunk && (!was || part.type.startsWith('data-'))) out.push(chunk);
          sent[index] = { type: part.type, length: 0, state: json, id: '', ref: part };
        }
      });
      const meta = JSON.stringify(message.metadata ?? null);
      if (meta !== metadata) {
        metadata = meta;
        if (message.metadata != null) out.push({ type: 'message-metadata', messageMetadata: message.metadata });
      }
      const run = message.run;
      if (run && run.status !== 'running') {
        ended = true;
        if (run.status === 'aborted') out.push({ type: 'abort', ...defined({ reason: run.errorText }) });
        else {
          if (run.status === 'error' || run.errorText !== undefined) out.push({ type: 'error', errorText: run.errorText ?? 'The reply failed.' });
          out.push({ type: 'finish', ...defined({ finishReason: run.finishReason }) });
        }
      }
      return out;
    },
  };
}
