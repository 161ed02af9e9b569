import { MutationError } from '../core/mutators.js';
import type { Message, Mutator } from '../core/types.js';

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
};
