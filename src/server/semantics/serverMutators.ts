import { MutationError } from '../../model/mutators.js';
import type { Message, Mutator } from '../../model/types.js';

const STATUSES = new Set(['streaming', 'done', 'error']);

/**
 * Mutators only the server runs (`serverWrite`): clients never send them, so they answer
 * `unknown-mutator` in a push. Each is still one version and one `thread` event.
 */
export const serverMutators: Record<string, Mutator> = {
  /** Ends (or fails) a streamed assistant message: `{ messageId, status }`. */
  setMessageStatus(draft, args: { messageId: string; status: NonNullable<Message['status']> }) {
    const { messageId, status } = (args ?? {}) as Partial<typeof args>;
    if (typeof messageId !== 'string' || typeof status !== 'string' || !STATUSES.has(status)) {
      throw new MutationError('invalid-args', 'setMessageStatus needs args.messageId and a status of streaming|done|error.');
    }
    for (let i = draft.messages.length - 1; i >= 0; i--) {
      const message = draft.messages[i]!;
      if (message.id === messageId) {
        message.status = status;
        return;
      }
    }
    throw new MutationError('not-found', `setMessageStatus: thread ${draft.id} has no message ${messageId}.`);
  },
  /**
   * Fills in the result of a tool call the assistant made (`streamReply` with `toolCall`):
   * `{ messageId, callId, result }` on the message's `{ type: 'tool-call', callId }` part.
   */
  setToolResult(draft, args: { messageId: string; callId: string; result: unknown }) {
    const { messageId, callId, result } = (args ?? {}) as Partial<typeof args>;
    if (typeof messageId !== 'string' || typeof callId !== 'string') {
      throw new MutationError('invalid-args', 'setToolResult needs args.messageId and args.callId.');
    }
    const parts = (draft.messages.find((m) => m.id === messageId) as { parts?: unknown } | undefined)?.parts;
    const part = Array.isArray(parts) ? parts.find((p: ToolCallPart) => p?.type === 'tool-call' && p.callId === callId) : undefined;
    if (!part) throw new MutationError('not-found', `setToolResult: no tool call ${callId} in message ${messageId}.`);
    (part as ToolCallPart).result = result;
  },
};

/** The tool-call part the dev server's replies carry (the demo renders it). */
export interface ToolCallPart {
  type: 'tool-call';
  callId: string;
  tool: string;
  input: unknown;
  /** Absent until the server fills it in. */
  result?: unknown;
}
