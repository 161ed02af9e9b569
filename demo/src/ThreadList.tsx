import { SyncBadge } from 'syncline/components';
import { useThread } from 'syncline/react';
import type { ThreadEntry } from './threadIndex';
import { threadHref } from './useHashRoute';

function ThreadLink({ entry, selected }: { entry: ThreadEntry; selected: boolean }) {
  const { thread } = useThread(entry.id);
  return (
    <li className="thread-list__item">
      <a href={threadHref(entry.id)} aria-current={selected ? 'page' : undefined} className="thread-list__link">
        {thread?.title || 'Untitled chat'}
      </a>
      <SyncBadge threadId={entry.id} />
    </li>
  );
}

export interface ThreadListProps {
  threads: ThreadEntry[];
  selected: string | null;
  onCreate(): void;
}

/** The chats started on this device, each with its own badge, and "New chat". */
export function ThreadList({ threads, selected, onCreate }: ThreadListProps) {
  return (
    <nav className="thread-list" aria-labelledby="thread-list-title">
      <div className="panel__header">
        <h2 id="thread-list-title" className="panel__title">
          Chats
        </h2>
        <button type="button" className="button" onClick={onCreate}>
          New chat
        </button>
      </div>
      {threads.length === 0 ? (
        <p className="muted">No chats yet.</p>
      ) : (
        <ul className="thread-list__items">
          {threads.map((entry) => (
            <ThreadLink key={entry.id} entry={entry} selected={entry.id === selected} />
          ))}
        </ul>
      )}
    </nav>
  );
}
