import type { Thread } from '../model/types.js';
import type { ServerEvent } from '../protocol/wire.js';
import { eventData as wireData } from '../server/sharedFrames.js';

// Versions are never changed in place, so one serialisation serves every fake stream that sends it.
const serialized = new WeakMap<Thread, string>();

/** The JSON `data:` of an event, as the server's stream writes it (src/server/sharedFrames.ts). */
export function eventData(event: ServerEvent): string {
  if (event.type !== 'thread') return wireData(event);
  let text = serialized.get(event.thread);
  if (text === undefined) {
    text = wireData(event);
    serialized.set(event.thread, text);
  }
  return text;
}
