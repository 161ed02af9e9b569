import { isRecord } from '../model/isRecord.js';
import { MutationError } from '../model/mutators.js';
import type { Mutator, Thread } from '../model/types.js';
import { applyChunk, emptyRun } from './applyChunk.js';
import type { RunStatus, SyncUIMessage } from './uiMessage.js';

/*
 * The mutators of a UIMessage thread (docs/ai.md). Register them with the client
 * (`createSyncClient({ mutators: aiMutators })`) and the server (`createSyncHandler({ mutators })`):
 * the same code runs in the optimistic view and on the server (docs/typing.md).
 */

const ROLES = new Set<unknown>(['system', 'user', 'assistant']);
const STATUSES = new Set<unknown>(['running', 'complete', 'aborted', 'error']);
/** The chunks one `applyChunks` write may carry; streamToThread coalesces below it. */
export const MAX_CHUNKS_PER_WRITE = 1000;

export function isUIMessage(value: unknown): value is SyncUIMessage {
  return isRecord(value) && typeof value.id === 'string' && value.id !== '' && ROLES.has(value.role) && Array.isArray(value.parts) && value.parts.every((p) => isRecord(p) && typeof p.type === 'string');
}

function requireId(args: unknown, mutator: string): string {
  const id = isRecord(args) ? args.messageId : undefined;
  if (typeof id !== 'string' || id === '') throw new MutationError('invalid-args', `${mutator} needs args.messageId as a non-empty string.`);
  return id;
}

function find(draft: Thread<SyncUIMessage>, id: string, mutator: string): SyncUIMessage {
  for (let i = draft.messages.length - 1; i >= 0; i--) if (draft.messages[i]!.id === id) return draft.messages[i]!;
  throw new MutationError('not-found', `${mutator}: thread ${draft.id} has no message ${id}; start the reply first (startReply).`);
}

/** A run that ended refuses the writes of its model (`run-ended`): a stop won, on any instance. */
function requireRunning(message: SyncUIMessage, mutator: string) {
  if (!message.run || message.run.status === 'running') return;
  throw new MutationError('run-ended', `${mutator}: the run of ${message.id} ended (${message.run.status}); its model stream should stop.`);
}

function has(draft: Thread<SyncUIMessage>, id: string) {
  for (let i = draft.messages.length - 1; i >= 0; i--) if (draft.messages[i]!.id === id) return true;
  return false;
}

export interface AIMutations {
  addUIMessage: { message: SyncUIMessage };
  startReply: { messageId: string; metadata?: unknown };
  applyChunks: { messageId: string; chunks: unknown[] };
  setRunStatus: { messageId: string; status: RunStatus; errorText?: string };
  beatRun: { messageId: string; at: number };
  regenerateReply: { userMessageId: string; replyId: string };
}

export const aiMutators: { [N in keyof AIMutations]: Mutator<SyncUIMessage, AIMutations[N]> } = {
  /** The user's message as useChat made it. Idempotent by id: a retried write changes nothing. */
  addUIMessage(draft, args) {
    const message = isRecord(args) ? args.message : undefined;
    if (!isUIMessage(message)) throw new MutationError('invalid-args', 'addUIMessage needs args.message: a UIMessage with id, role (system|user|assistant) and parts.');
    if (has(draft, message.id)) return;
    const { run: _run, ...copy } = message;
    draft.messages.push(copy);
  },
  /** An empty assistant reply whose run is `running`. Idempotent by id. */
  startReply(draft, args) {
    const messageId = requireId(args, 'startReply');
    if (has(draft, messageId)) return;
    draft.messages.push({ id: messageId, role: 'assistant', parts: [], ...(args.metadata != null ? { metadata: args.metadata } : {}), run: emptyRun() });
  },
  /**
   * Chunks of the reply's stream, in order. Chunks after the run ended are refused with code
   * `run-ended` (a stop won, on whichever instance): streamToThread then stops reading the model.
   */
  applyChunks(draft, args) {
    const messageId = requireId(args, 'applyChunks');
    const chunks = isRecord(args) ? args.chunks : undefined;
    if (!Array.isArray(chunks) || chunks.length > MAX_CHUNKS_PER_WRITE) throw new MutationError('invalid-args', `applyChunks needs args.chunks: an array of at most ${MAX_CHUNKS_PER_WRITE} UIMessageChunks.`);
    const message = find(draft, messageId, 'applyChunks');
    requireRunning(message, 'applyChunks');
    for (const chunk of chunks) applyChunk(message, chunk);
  },
  /**
   * Asks for a new reply to a user message (useChat's `regenerate`): every message after it goes,
   * as the AI SDK drops them, and the server's chat handler answers it anew as `replyId`.
   */
  regenerateReply(draft, args) {
    const userMessageId = isRecord(args) ? args.userMessageId : undefined;
    const replyId = isRecord(args) ? args.replyId : undefined;
    if (typeof userMessageId !== 'string' || typeof replyId !== 'string' || replyId === '') {
      throw new MutationError('invalid-args', 'regenerateReply needs args.userMessageId and args.replyId as non-empty strings.');
    }
    const at = draft.messages.findIndex((m) => m.id === userMessageId);
    if (at < 0 || draft.messages[at]!.role !== 'user') throw new MutationError('not-found', `regenerateReply: thread ${draft.id} has no user message ${userMessageId}.`);
    draft.messages.splice(at + 1);
  },
  /** The run is alive (streamToThread, while the model is quiet); refused once it ended, like a chunk. */
  beatRun(draft, args) {
    const messageId = requireId(args, 'beatRun');
    if (!Number.isFinite(args.at)) throw new MutationError('invalid-args', 'beatRun needs args.at: the time in ms.');
    const message = find(draft, messageId, 'beatRun');
    requireRunning(message, 'beatRun');
    (message.run ??= emptyRun()).beatAt = args.at;
  },
  /** Ends (or reopens) a run: `complete`, `aborted` (a stop), `error`. */
  setRunStatus(draft, args) {
    const messageId = requireId(args, 'setRunStatus');
    if (!STATUSES.has(args.status)) throw new MutationError('invalid-args', 'setRunStatus needs args.status: running, complete, aborted or error.');
    const message = find(draft, messageId, 'setRunStatus');
    const run = (message.run ??= emptyRun());
    // A run that ended stays ended: a late `complete` does not undo a stop.
    if (run.status !== 'running' && args.status !== 'running') return;
    run.status = args.status;
    if (typeof args.errorText === 'string') run.errorText = args.errorText;
  },
};
