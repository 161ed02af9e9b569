import { isRecord } from '../model/isRecord.js';
import { MutationError } from '../model/mutators.js';
import { findToolPart, isToolPart, partialInput, updateToolPart } from './toolParts.js';
import { MAX_KEPT_CHUNKS, type RunState, type SyncUIMessage, type UIPart } from './uiMessage.js';

/*
 * One UIMessageChunk applied to a stored reply, in place (an immer draft in a mutator), the way
 * the AI SDK's processUIMessageStream applies it (node_modules/ai/dist/index.js). A delta touches
 * one string of one part, so the server's diff (src/model/diffThreads.ts) makes it one `append`
 * op: a token costs the size of the token on the wire and in the store.
 */

type Chunk = Record<string, unknown> & { type: string };

export function emptyRun(): RunState {
  return { status: 'running', text: {}, reasoning: {}, tools: {}, kept: [] };
}

function keep(run: RunState, chunk: unknown) {
  run.kept.push(chunk);
  if (run.kept.length > MAX_KEPT_CHUNKS) run.kept.splice(0, run.kept.length - MAX_KEPT_CHUNKS);
}

function str(chunk: Chunk, key: string): string | undefined {
  const value = chunk[key];
  return typeof value === 'string' ? value : undefined;
}

/** A part index from a record keyed by an outside id: own keys only (`__proto__` is an id like any other). */
function lookup(record: Record<string, number>, id: string | undefined): number {
  return id !== undefined && Object.hasOwn(record, id) ? record[id]! : -1;
}

function mergeMetadata(message: SyncUIMessage, metadata: unknown) {
  if (metadata == null) return;
  message.metadata = isRecord(message.metadata) && isRecord(metadata) ? merge(message.metadata, metadata) : metadata;
}

/** The SDK's mergeObjects: nested records merge, everything else is replaced. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const was = out[key];
    out[key] = isRecord(was) && isRecord(value) && !Array.isArray(was) && !Array.isArray(value) ? merge(was, value) : value;
  }
  return out;
}

/** Validates a chunk from anywhere (a model, a client's args): a record with a string `type`. */
export function requireChunk(value: unknown): Chunk {
  if (!isRecord(value) || typeof value.type !== 'string') {
    throw new MutationError('invalid-args', 'applyChunk needs args.chunk: a UIMessageChunk, an object with a string type.');
  }
  return value as Chunk;
}

function openPart(message: SyncUIMessage, record: Record<string, number>, id: string | undefined, part: UIPart) {
  if (id === undefined) return false;
  record[id] = message.parts.length;
  message.parts.push(part);
  return true;
}

function appendTo(message: SyncUIMessage, at: number, chunk: Chunk) {
  const part = at >= 0 ? message.parts[at] : undefined;
  const delta = str(chunk, 'delta');
  if (!part || delta === undefined) return false;
  part.text = String(part.text) + delta;
  if (chunk.providerMetadata != null) part.providerMetadata = chunk.providerMetadata;
  return true;
}

function closePart(message: SyncUIMessage, record: Record<string, number>, id: string | undefined, chunk: Chunk) {
  const at = lookup(record, id);
  const part = at >= 0 ? message.parts[at] : undefined;
  if (!part) return false;
  part.state = 'done';
  if (chunk.citations != null) part.citations = chunk.citations;
  if (chunk.providerMetadata != null) part.providerMetadata = chunk.providerMetadata;
  delete record[id!];
  return true;
}

function toolChunk(message: SyncUIMessage, run: RunState, chunk: Chunk): boolean {
  const toolCallId = str(chunk, 'toolCallId');
  if (toolCallId === undefined) return false;
  const common = {
    toolCallId,
    providerExecuted: chunk.providerExecuted as boolean | undefined,
    providerMetadata: chunk.providerMetadata,
    toolMetadata: chunk.toolMetadata,
  };
  const toolName = str(chunk, 'toolName');
  switch (chunk.type) {
    case 'tool-input-start': {
      if (toolName === undefined) return false;
      const inputEncoding = str(chunk, 'inputEncoding');
      const title = str(chunk, 'title');
      run.tools[toolCallId] = { text: '', toolName, dynamic: chunk.dynamic === true, inputEncoding, title, toolMetadata: chunk.toolMetadata };
      updateToolPart(message, { ...common, toolName, state: 'input-streaming', inputEncoding, input: undefined, title }, chunk.dynamic === true);
      return true;
    }
    case 'tool-input-delta': {
      const call = Object.hasOwn(run.tools, toolCallId) ? run.tools[toolCallId] : undefined;
      const delta = str(chunk, 'inputTextDelta');
      if (!call || delta === undefined) return false;
      call.text += delta;
      const at = findToolPart(message.parts, toolCallId, true);
      const input = partialInput(call, at >= 0 ? message.parts[at]!.input : undefined);
      updateToolPart(
        message,
        { toolCallId, toolName: call.toolName, state: 'input-streaming', inputEncoding: call.inputEncoding, input, rawInput: call.text, title: call.title, toolMetadata: call.toolMetadata },
        call.dynamic === true,
      );
      return true;
    }
    case 'tool-input-available':
    case 'tool-input-error': {
      if (toolName === undefined) return false;
      const errored = chunk.type === 'tool-input-error';
      const existing = findToolPart(message.parts, toolCallId, true);
      const dynamic = errored && existing >= 0 ? message.parts[existing]!.type === 'dynamic-tool' : chunk.dynamic === true;
      const update = errored
        ? { ...common, toolName, state: 'output-error', input: chunk.input, errorText: str(chunk, 'errorText') }
        : { ...common, toolName, state: 'input-available', input: chunk.input, title: str(chunk, 'title') };
      updateToolPart(message, update, dynamic);
      delete run.tools[toolCallId];
      return true;
    }
    default:
      return toolResult(message, chunk, toolCallId, common);
  }
}

function toolResult(message: SyncUIMessage, chunk: Chunk, toolCallId: string, common: { toolCallId: string; providerExecuted?: boolean; providerMetadata: unknown; toolMetadata: unknown }): boolean {
  const at = findToolPart(message.parts, toolCallId);
  const part = at >= 0 ? message.parts[at]! : undefined;
  if (!part) return false;
  if (chunk.type === 'tool-output-denied') {
    part.state = 'output-denied';
    return true;
  }
  if (chunk.type !== 'tool-output-available' && chunk.type !== 'tool-output-error') return false;
  const dynamic = part.type === 'dynamic-tool';
  const toolName = dynamic ? String(part.toolName) : part.type.slice('tool-'.length);
  const base = { ...common, toolName, input: part.input, title: part.title as string | undefined, toolMetadata: chunk.toolMetadata ?? part.toolMetadata };
  const update =
    chunk.type === 'tool-output-available'
      ? { ...base, state: 'output-available', output: chunk.output, preliminary: chunk.preliminary as boolean | undefined }
      : { ...base, state: 'output-error', errorText: str(chunk, 'errorText'), ...(dynamic ? {} : { rawInput: part.rawInput }) };
  updateToolPart(message, update, dynamic, at);
  return true;
}

function approvalChunk(message: SyncUIMessage, chunk: Chunk): boolean {
  const approvalId = str(chunk, 'approvalId');
  if (approvalId === undefined) return false;
  if (chunk.type === 'tool-approval-request') {
    const at = findToolPart(message.parts, String(chunk.toolCallId));
    if (at < 0) return false;
    const part = message.parts[at]!;
    part.state = 'approval-requested';
    part.approval = {
      id: approvalId,
      ...(chunk.approvalDescriptor != null ? { descriptor: chunk.approvalDescriptor } : {}),
      ...(Object.hasOwn(chunk, 'inputSchemaInput') ? { inputSchemaInput: chunk.inputSchemaInput } : {}),
      ...(chunk.reason != null ? { requestReason: chunk.reason } : {}),
      ...(chunk.isAutomatic === true ? { isAutomatic: true } : {}),
      ...(chunk.signature != null ? { signature: chunk.signature } : {}),
    };
    return true;
  }
  const part = message.parts.find((p) => isToolPart(p) && isRecord(p.approval) && p.approval.id === approvalId);
  if (!part) return false;
  part.state = 'approval-responded';
  part.approval = { ...(isRecord(part.approval) ? part.approval : {}), id: approvalId, approved: chunk.approved, ...(chunk.reason != null ? { reason: chunk.reason } : {}) };
  if (chunk.providerExecuted != null) part.providerExecuted = chunk.providerExecuted;
  if (chunk.providerMetadata != null) part.callProviderMetadata = chunk.providerMetadata;
  return true;
}

function resetStep(message: SyncUIMessage, run: RunState) {
  run.text = {};
  run.reasoning = {};
  run.tools = {};
  let start = 0;
  for (let i = message.parts.length - 1; i >= 0; i--) {
    if (message.parts[i]!.type === 'step-start') {
      start = i + 1;
      break;
    }
  }
  if (start < message.parts.length) message.parts.splice(start);
}

function dataChunk(message: SyncUIMessage, chunk: Chunk): boolean {
  if (chunk.transient === true) return true;
  const id = str(chunk, 'id');
  const existing = id !== undefined ? message.parts.find((p) => p.type === chunk.type && p.id === id) : undefined;
  if (existing) existing.data = chunk.data;
  else message.parts.push({ ...chunk });
  return true;
}

/** Applies `chunk` to `message` (its run state created if missing). A chunk it cannot place is kept in `run.kept`, never thrown. */
export function applyChunk(message: SyncUIMessage, value: unknown): void {
  const chunk = requireChunk(value);
  const run = (message.run ??= emptyRun());
  const parts = message.parts;
  let placed = true;
  switch (chunk.type) {
    case 'text-start':
      placed = openPart(message, run.text, str(chunk, 'id'), { type: 'text', text: '', providerMetadata: chunk.providerMetadata, state: 'streaming' });
      break;
    case 'reasoning-start': {
      const id = str(chunk, 'id');
      placed = openPart(message, run.reasoning, id, { type: 'reasoning', id, text: '', providerMetadata: chunk.providerMetadata, state: 'streaming' });
      break;
    }
    case 'text-delta':
      placed = appendTo(message, lookup(run.text, str(chunk, 'id')), chunk);
      break;
    case 'reasoning-delta':
      placed = appendTo(message, lookup(run.reasoning, str(chunk, 'id')), chunk);
      break;
    case 'text-end':
      placed = closePart(message, run.text, str(chunk, 'id'), chunk);
      break;
    case 'reasoning-end':
      placed = closePart(message, run.reasoning, str(chunk, 'id'), { ...chunk, citations: undefined });
      break;
    case 'custom':
      parts.push({ type: 'custom', kind: chunk.kind, providerMetadata: chunk.providerMetadata });
      break;
    case 'file':
    case 'reasoning-file':
      parts.push({ type: chunk.type, mediaType: chunk.mediaType, url: chunk.url, ...(chunk.providerMetadata != null ? { providerMetadata: chunk.providerMetadata } : {}) });
      break;
    case 'source-url':
      parts.push({ type: 'source-url', sourceId: chunk.sourceId, url: chunk.url, title: chunk.title, providerMetadata: chunk.providerMetadata });
      break;
    case 'source-document':
      parts.push({ type: 'source-document', sourceId: chunk.sourceId, mediaType: chunk.mediaType, title: chunk.title, filename: chunk.filename, providerMetadata: chunk.providerMetadata });
      break;
    case 'steering-message':
      parts.push({ type: 'steering-message', id: chunk.id, parts: chunk.parts });
      break;
    case 'start-step':
      parts.push({ type: 'step-start' });
      break;
    case 'finish-step':
      break;
    case 'reset-step':
      resetStep(message, run);
      break;
    case 'tool-approval-request':
    case 'tool-approval-response':
      placed = approvalChunk(message, chunk);
      break;
    case 'start':
      // The message keeps the id it was stored under: a reply's id is chosen when its run starts.
      mergeMetadata(message, chunk.messageMetadata);
      break;
    case 'finish':
      if (typeof chunk.finishReason === 'string') run.finishReason = chunk.finishReason;
      mergeMetadata(message, chunk.messageMetadata);
      break;
    case 'message-metadata':
      mergeMetadata(message, chunk.messageMetadata);
      break;
    case 'error':
      run.errorText = str(chunk, 'errorText') ?? 'The model stream reported an error.';
      break;
    case 'abort':
      run.status = 'aborted';
      if (typeof chunk.reason === 'string') run.errorText = chunk.reason;
      break;
    default:
      placed = chunk.type.startsWith('data-') ? dataChunk(message, chunk) : chunk.type.startsWith('tool-') ? toolChunk(message, run, chunk) : false;
  }
  if (!placed) keep(run, chunk);
}
