import { useMemo } from 'react';
import type { PendingWriteState } from 'syncline';
import { PendingWriteIndicator, SyncBadge } from 'syncline/components';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { usePendingItems, useThread } from './model';
import { newId } from './newId';

const noMessages: never[] = [];

/** One chat: its title and badge, the writes still on their way, the messages, the composer. */
export function ThreadView({ threadId }: { threadId: string }) {
  const { thread, mutate } = useThread(threadId);
  const { items } = usePendingItems(threadId);

  // Which messages the server has not acknowledged yet, so each one can say so.
  const delivery = useMemo(() => {
    const map = new Map<string, PendingWriteState>();
    for (const write of items) {
      if (write.name === 'addMessage') map.set(write.args.message.id, write.state);
    }
    return map;
  }, [items]);

  const send = (content: string) => {
    mutate('addMessage', {
      message: { id: newId(), role: 'user', content, createdAt: Date.now(), parts: [{ type: 'text', text: content }] },
    });
  };

  return (
    <section className="thread" aria-labelledby="thread-title">
      <header className="thread__header">
        <h2 id="thread-title" className="thread__title">
          {thread?.title || 'Untitled chat'}
        </h2>
        <SyncBadge threadId={threadId} data-testid="thread-badge" />
      </header>
      <PendingWriteIndicator threadId={threadId} data-testid="thread-pending" />
      <MessageList messages={thread?.messages ?? noMessages} delivery={delivery} />
      <Composer key={threadId} onSend={send} />
    </section>
  );
}
