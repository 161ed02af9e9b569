import { useChat } from '@ai-sdk/react';
import type { ChatTransport, UIMessage } from 'ai';
import { useState } from 'react';
import type { AnySyncClient } from 'syncline';
import { ChatMessageStatus, useChatSync } from 'syncline/ai/react';
import { DegradedBanner, SyncBadge } from 'syncline/components';

interface Props {
  client: AnySyncClient;
  transport: ChatTransport<UIMessage>;
  chatId: string;
}

/** A standard useChat page, made durable by the transport (docs/ai.md's diff). */
export function ChatApp({ client, transport, chatId }: Props) {
  const chat = useChat({ id: chatId, transport, resume: true });
  useChatSync(client, chatId, chat);
  const { messages, sendMessage, status, stop } = chat;
  const [text, setText] = useState('');
  const busy = status === 'submitted' || status === 'streaming';
  return (
    <main className="chat" data-chat-status={status}>
      <header className="chat__header">
        <h1>useChat, made durable</h1>
        <SyncBadge threadId={chatId} data-testid="chat-badge" />
      </header>
      <DegradedBanner />
      <ol className="chat__messages" aria-label="Messages">
        {messages.map((m) => (
          <li key={m.id} className={`chat__message chat__message--${m.role}`} data-role={m.role} data-testid="chat-message">
            <p>{m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('')}</p>
            <ChatMessageStatus threadId={chatId} messageId={m.id} />
          </li>
        ))}
      </ol>
      <form
        className="chat__composer"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim() === '') return;
          void sendMessage({ text });
          setText('');
        }}
      >
        <label htmlFor="chat-input">Message</label>
        <input id="chat-input" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />
        <button type="submit">Send</button>
        <button type="button" onClick={() => void stop()} disabled={!busy}>
          Stop
        </button>
      </form>
      <p className="chat__hint">
        The reply comes from a mock model on the chat server (no key, no network). Go offline, reload mid-reply, or open
        this page in a second tab: no message is lost or doubled.
      </p>
    </main>
  );
}
