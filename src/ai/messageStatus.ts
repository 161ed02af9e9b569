import type { HealthStatus, PendingWrite } from '../model/types.js';
import { isRecord } from '../model/isRecord.js';
import type { SyncUIMessage } from './uiMessage.js';

/*
 * What one chat message's badge says (docs/ai.md), from the thread, its pending writes and the
 * client's health: a user message is on its way or saved; a reply is arriving, paused (the run
 * goes on on the server, but this page hears nothing now, so what it shows may be behind),
 * complete, stopped or failed. Framework-free: `useMessageStatus` (syncline/ai/react) reads it.
 */

export type MessageStatus =
  /** A user message waiting to be sent (offline, or between retries). */
  | 'queued'
  | 'sending'
  /** The server refused the user message for good: Retry or Discard (usePendingItems). */
  | 'failed'
  /** On the server. */
  | 'saved'
  /** A reply whose run is going on, and this page hears the server. */
  | 'arriving'
  /** A reply whose run was going on when this page last heard the server: it may be further now. */
  | 'paused'
  | 'complete'
  | 'stopped'
  /** The reply's run failed (the model's error, `run.errorText`). */
  | 'reply-failed'
  /** Not in the thread (yet). */
  | 'unknown';

const messageIdOf = (write: PendingWrite): string | undefined => {
  const args = write.args;
  if (write.name === 'addUIMessage' && isRecord(args) && isRecord(args.message) && typeof args.message.id === 'string') return args.message.id;
  return undefined;
};

export function messageStatus(
  messages: readonly SyncUIMessage[] | undefined,
  pending: readonly PendingWrite[] | undefined,
  health: Pick<HealthStatus, 'state'>,
  messageId: string,
): MessageStatus {
  const write = pending?.find((w) => messageIdOf(w) === messageId);
  if (write) return write.state === 'failed' ? 'failed' : write.state === 'sending' ? 'sending' : 'queued';
  let message: SyncUIMessage | undefined;
  for (let i = (messages?.length ?? 0) - 1; i >= 0 && !message; i--) if (messages![i]!.id === messageId) message = messages![i];
  if (!message) return 'unknown';
  const run = message.run;
  if (!run) return 'saved';
  switch (run.status) {
    case 'running':
      return health.state === 'live' || health.state === 'polling' ? 'arriving' : 'paused';
    case 'complete':
      return 'complete';
    case 'aborted':
      return 'stopped';
    default:
      return 'reply-failed';
  }
}
