'use client';
import { forwardRef, useCallback } from 'react';
import type { ComponentPropsWithoutRef } from 'react';
import type { SyncStoreState } from '../../client/types.js';
import { classNames } from '../../components/classNames.js';
import { useSyncSelector } from '../../react/useSyncSelector.js';
import { messageStatus, type MessageStatus } from '../messageStatus.js';
import type { SyncUIMessage } from '../uiMessage.js';

/**
 * The status of one chat message (src/ai/messageStatus.ts). A string, so a component re-renders
 * only when it changes: not on every token of the reply, nor for other messages.
 */
export function useMessageStatus(threadId: string, messageId: string): MessageStatus {
  const select = useCallback(
    (state: SyncStoreState) =>
      messageStatus(state.threads[threadId]?.messages as unknown as SyncUIMessage[] | undefined, state.pendingByThread[threadId], state.health, messageId),
    [threadId, messageId],
  );
  return useSyncSelector(select);
}

/** What `<ChatMessageStatus />` says in each status; pass some or all to translate. */
export type ChatMessageStatusLabels = Record<MessageStatus, string>;

const defaultLabels: ChatMessageStatusLabels = {
  queued: 'Waiting for the network',
  sending: 'Sending…',
  failed: 'Not sent',
  saved: 'Sent',
  arriving: 'Writing…',
  paused: 'Reconnecting: the reply goes on on the server',
  complete: '',
  stopped: 'Stopped',
  'reply-failed': 'The reply failed',
  unknown: '',
};

export interface ChatMessageStatusProps extends Omit<ComponentPropsWithoutRef<'span'>, 'children'> {
  threadId: string;
  messageId: string;
  labels?: Partial<ChatMessageStatusLabels>;
  unstyled?: boolean;
}

/**
 * A chat message's status beside it (docs/ai.md): "Sending…", "Waiting for the network" or "Not
 * sent" for the user's message, "Writing…", "Reconnecting…", "Stopped" or "The reply failed" for
 * a reply; `data-status` carries the status for styling. Empty (and `hidden`) when there is
 * nothing to say: a sent message, a complete reply.
 */
export const ChatMessageStatus = forwardRef<HTMLSpanElement, ChatMessageStatusProps>(function ChatMessageStatus(
  { threadId, messageId, labels, unstyled, className, ...rest },
  ref,
) {
  const status = useMessageStatus(threadId, messageId);
  const text = { ...defaultLabels, ...labels }[status];
  return (
    <span
      {...rest}
      ref={ref}
      className={classNames(unstyled, 'syncline-message-status', className)}
      data-status={status}
      hidden={text === '' || status === 'saved' || undefined}
    >
      {text}
    </span>
  );
});
