import { MutationError, type Message, type Thread } from 'syncline';

/** An AI-chat app's own message: the default fields plus parts, as the common AI SDKs model them. */
export type Part =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; callId: string; tool: string; input: unknown; result?: unknown };

export interface ChatMessage extends Message {
  parts: Part[];
  flagged?: boolean;
}

/** The app's mutators, declared once: their draft and args types type `mutate`. */
export const chatMutators = {
  setToolResult(draft: Thread<ChatMessage>, args: { messageId: string; callId: string; result: unknown }) {
    const part = draft.messages
      .find((m) => m.id === args.messageId)
      ?.parts.find((p) => p.type === 'tool-call' && p.callId === args.callId);
    if (!part || part.type !== 'tool-call') throw new MutationError('not-found', `No tool call ${args.callId}.`);
    part.result = args.result;
  },
  flag(draft: Thread<ChatMessage>, args: { messageId: string }) {
    const message = draft.messages.find((m) => m.id === args.messageId);
    if (message) message.flagged = true;
  },
};

export function chatMessage(id: string, parts: Part[] = [{ type: 'text', text: `message ${id}` }]): ChatMessage {
  return { id, role: 'user', content: '', createdAt: 1, parts };
}
