import { useId, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';

export interface ComposerProps {
  /** Sends one message; throws when the outbox refuses it (full). */
  onSend(content: string): void;
}

/** A message box: Enter sends, Shift+Enter starts a new line. Sending never waits for the network. */
export function Composer({ onSend }: ComposerProps) {
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const send = () => {
    const input = inputRef.current;
    if (!input) return;
    const content = input.value.trim();
    if (content === '') return;
    try {
      onSend(content);
      input.value = '';
      setError(null);
    } catch (caught) {
      // The text stays in the box, so nothing typed is lost.
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={`${id}-input`} className="visually-hidden">
        Message
      </label>
      <textarea
        id={`${id}-input`}
        ref={inputRef}
        className="composer__input"
        name="message"
        rows={2}
        placeholder="Message the assistant (Enter sends, Shift+Enter for a new line)"
        onKeyDown={onKeyDown}
        aria-describedby={error ? `${id}-error` : undefined}
        autoFocus
      />
      <button type="submit" className="button">
        Send
      </button>
      {error && (
        <p id={`${id}-error`} role="alert" className="composer__error">
          {error}
        </p>
      )}
    </form>
  );
}
