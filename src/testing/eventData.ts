import type { Thread } from '../model/types.js';
import type { ServerEvent } from '../protocol/wire.js';

// Versions are never changed in place, so one serialisation serves every stream that sends it.
const serialized = new WeakMap<Thread, string>();

/** The JSON `data:` of an event on the wire (docs/protocol.md). */
export function eventData(event: ServerEvent): string {
  if (event.type === 'thread') {
    let text = serialized.get(event.thread);
    if (text === undefined) {
      text = JSON.stringify(event.thread);
      serialized.set(event.thread, text);
    }
    return text;
  }
  if (event.type === 'delta') {
    const { threadId, messageId, v, text } = event;
    return JSON.stringify({ threadId, messageId, v, text });
  }
  return '{}';
}

/** One SSE frame: `id:`, `event:`, `data:` and the blank line that ends it. */
export function sseFrame(event: ServerEvent): string {
  const id = event.id === null ? '' : `id: ${event.id}\n`;
  return `${id}event: ${event.type}\ndata: ${eventData(event)}\n\n`;
}
