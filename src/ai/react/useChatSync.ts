'use client';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { UIMessage } from 'ai';
import type { AnySyncClient } from '../../client/types.js';
import { loadChat } from '../chatTransport.js';
import { toUIMessage, type SyncUIMessage } from '../uiMessage.js';

/** What useChatSync needs of `useChat`'s result. */
export interface ChatSyncTarget {
  status: string;
  setMessages(messages: UIMessage[]): void;
}

/**
 * Keeps `useChat`'s messages equal to the thread (docs/ai.md): on mount the thread as the page
 * holds it (the local copy after a reload, before any network answer: `loadChat`), and after that
 * whatever reaches the thread while this chat is not streaming a reply of its own: a message sent
 * from another tab or device, and its reply as it grows. Unchanged messages keep their object, so
 * memoised rows do not re-render.
 */
export function useChatSync(client: AnySyncClient, chatId: string, chat: ChatSyncTarget, options: { threadId?: string } = {}): void {
  const threadId = options.threadId ?? chatId;
  const { setMessages, status } = chat;
  const read = () => client.store.getState().threads[threadId];
  const thread = useSyncExternalStore(client.store.subscribe, read, read);
  // The thread live while the chat is shown (the stream or the poller keeps it in step).
  useEffect(() => client.watch(threadId), [client, threadId]);
  useEffect(() => {
    let mounted = true;
    void loadChat(client, threadId).then((messages) => mounted && setMessages(messages));
    return () => {
      mounted = false;
    };
  }, [client, threadId, setMessages]);
  const converted = useRef(new WeakMap<object, UIMessage>());
  useEffect(() => {
    // While this chat sends or streams, the AI SDK builds its messages itself (the transport).
    if (!thread || (status !== 'ready' && status !== 'error')) return;
    const cache = converted.current;
    setMessages(
      (thread.messages as unknown as SyncUIMessage[]).map((m) => {
        let ui = cache.get(m);
        if (!ui) cache.set(m, (ui = toUIMessage(m) as UIMessage));
        return ui;
      }),
    );
  }, [thread, status, setMessages]);
}
