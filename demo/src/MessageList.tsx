import { memo, useEffect, useMemo, useRef } from 'react';
import type { PendingWriteState } from 'syncline';
import type { DemoMessage as Message, Part } from './model';

const authors: Record<Message['role'], string> = {
  user: 'You',
  assistant: 'Assistant',
  tool: 'Tool',
  system: 'System',
};

const deliveryLabels: Record<PendingWriteState, string> = {
  queued: 'Not sent yet',
  sending: 'Sending…',
  failed: 'Not saved',
};

/** Messages per memoised chunk: a new token or message re-renders one chunk, not the thread. */
const CHUNK = 50;

type Delivery = ReadonlyMap<string, PendingWriteState>;

/**
 * By value: a pulled thread arrives as new objects even where nothing changed, and a re-render
 * of hundreds of unchanged messages is what makes a long chat feel slow.
 */
const sameMessage = (a: Message, b: Message) =>
  a === b ||
  (a.id === b.id && a.content === b.content && a.status === b.status && a.role === b.role && a.parts === b.parts);

/** Characters per text segment of a long message (cut at the next whitespace). */
const SEGMENT = 512;

/**
 * Where to cut text into segments: at the first whitespace after every SEGMENT characters. A cut
 * depends only on the text before it, so while a reply streams in, only the tail changes.
 */
function cutsOf(text: string): number[] {
  const cuts: number[] = [];
  const space = /\s/g;
  let start = 0;
  while (text.length - start > SEGMENT) {
    space.lastIndex = start + SEGMENT;
    const found = space.exec(text);
    if (!found) break;
    start = found.index + 1;
    cuts.push(start);
  }
  return cuts;
}

/**
 * A message's text as a run of text nodes, so that while a long reply streams the browser
 * reshapes only the last one on each frame, and React creates one element, not one per segment.
 * Text nodes only: nothing is ever parsed as HTML.
 */
function MessageText({ text }: { text: string }) {
  const cuts = cutsOf(text);
  const head = text.slice(0, cuts.at(-1) ?? 0);
  // Recomputed only when a segment completes (every SEGMENT characters or so).
  const headSegments = useMemo(() => {
    const headCuts = cutsOf(head);
    // Segments are only ever appended, so the index is a stable key.
    return headCuts.map((end, i) => <span key={i}>{head.slice(headCuts[i - 1] ?? 0, end)}</span>);
  }, [head]);
  if (cuts.length === 0) return text;
  return (
    <>
      {headSegments}
      <span>{text.slice(head.length)}</span>
    </>
  );
}

/** What a tool call shows: its input, then its result once the server filled it in. */
function ToolCall({ part }: { part: Extract<Part, { type: 'tool-call' }> }) {
  const done = part.result !== undefined;
  return (
    <div className="message__tool" data-tool-call={part.callId} data-state={done ? 'done' : 'running'}>
      <code>
        {part.tool}({JSON.stringify(part.input)})
      </code>
      {/* Server data as text: JSON, never HTML. */}
      <span className="message__tool-result">{done ? `→ ${JSON.stringify(part.result)}` : 'running…'}</span>
    </div>
  );
}

/**
 * The message's parts in order: text parts as text, tool calls as cards. A streamed reply's text
 * arrives in `content` (the protocol's deltas append to it), shown after its tool calls; a
 * message without text parts (another client's, or a streamed reply) shows `content` as its text.
 */
function MessageBody({ message }: { message: Message }) {
  const parts = message.parts ?? [];
  const hasText = parts.some((p) => p.type === 'text');
  return (
    <>
      {parts.map((part, i) =>
        part.type === 'tool-call' ? (
          <ToolCall key={part.callId} part={part} />
        ) : (
          // Parts only change in place, so the index is a stable key.
          <p key={i} className="message__content">
            <MessageText text={part.text} />
          </p>
        ),
      )}
      {!hasText && (
        <p className="message__content">
          <MessageText text={message.content} />
        </p>
      )}
    </>
  );
}

interface MessageItemProps {
  message: Message;
  /** The state of the write that adds this message, while the server has not acknowledged it. */
  delivery: PendingWriteState | undefined;
}

const MessageItem = memo(
  function MessageItem({ message, delivery }: MessageItemProps) {
    const streaming = message.status === 'streaming';
    return (
      <li
        className={`message message--${message.role}`}
        data-message-id={message.id}
        data-role={message.role}
        data-status={message.status ?? 'done'}
        data-delivery={delivery ?? 'saved'}
        aria-busy={streaming || undefined}
      >
        <span className="message__author">{authors[message.role]}</span>
        {/* Text nodes: React escapes them; nothing from the server is ever parsed as HTML. */}
        <MessageBody message={message} />
        {streaming && <span className="message__note">Writing…</span>}
        {delivery && <span className={`message__note message__note--${delivery}`}>{deliveryLabels[delivery]}</span>}
        {message.status === 'error' && <span className="message__note message__note--failed">The reply stopped early.</span>}
      </li>
    );
  },
  (a, b) => a.delivery === b.delivery && sameMessage(a.message, b.message),
);

interface MessageChunkProps {
  messages: Message[];
  delivery: Delivery;
}

const MessageChunk = memo(
  function MessageChunk({ messages, delivery }: MessageChunkProps) {
    return messages.map((message) => (
      <MessageItem key={message.id} message={message} delivery={delivery.get(message.id)} />
    ));
  },
  (a, b) =>
    a.messages.length === b.messages.length &&
    a.messages.every((m, i) => sameMessage(m, b.messages[i]!) && a.delivery.get(m.id) === b.delivery.get(m.id)),
);

export interface MessageListProps {
  messages: Message[];
  delivery: Delivery;
}

/** The messages of a chat, kept scrolled to the newest while the reader is at the bottom. */
export function MessageList({ messages, delivery }: MessageListProps) {
  const listRef = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  /**
   * Set by the reader's own input. Only scroll events that follow it can unpin the list: content
   * also moves by itself (a reply grows, "Sending…" notes go away) in the same frame as a scroll.
   */
  const readerScrolled = useRef(false);
  const frame = useRef(0);

  useEffect(() => {
    if (!atBottom.current || frame.current !== 0) return;
    // Once per frame, not per commit: reading scrollHeight forces a layout of the whole list.
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const list = listRef.current;
      if (!list || !atBottom.current) return;
      list.scrollTop = list.scrollHeight;
      readerScrolled.current = false;
    });
  }, [messages]);
  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    },
    [],
  );

  const markReaderScroll = () => {
    readerScrolled.current = true;
  };

  if (messages.length === 0) {
    return <p className="messages messages--empty">No messages yet. Say hello below.</p>;
  }
  const chunks: Message[][] = [];
  for (let i = 0; i < messages.length; i += CHUNK) chunks.push(messages.slice(i, i + CHUNK));
  return (
    <ol
      ref={listRef}
      className="messages"
      aria-label="Messages"
      // Scrollable by keyboard.
      tabIndex={0}
      onWheel={markReaderScroll}
      onTouchMove={markReaderScroll}
      onKeyDown={markReaderScroll}
      onPointerDown={markReaderScroll}
      onScroll={(event) => {
        if (!readerScrolled.current) return;
        const list = event.currentTarget;
        atBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
      }}
    >
      {chunks.map((chunk, i) => (
        // Chunks only grow at the end, so the index is a stable key.
        <MessageChunk key={i} messages={chunk} delivery={delivery} />
      ))}
    </ol>
  );
}
