import type { Thread } from '../model/types.js';
import type { ServerEvent } from '../protocol/wire.js';
import { SHARED_MIN_BYTES } from './pulledBody.js';

/*
 * The bytes of one SSE frame, with a thread's serialized JSON shared by every stream that sends
 * that version: 20 stuck streams on an 8 MB thread pin one 8 MB buffer, not twenty
 * (docs/server.md, "The event stream"). Versions never change in place, so the bytes of a
 * `Thread` object stay true for as long as anyone holds it.
 */

const encoder = new TextEncoder();
const encoded = new WeakMap<Thread, Uint8Array>();

/** The JSON `data:` of an event on the wire (docs/protocol.md); the fake backend's stream sends the same. */
export function eventData(event: ServerEvent): string {
  if (event.type === 'thread') return JSON.stringify(event.thread);
  if (event.type === 'delta') return JSON.stringify({ threadId: event.threadId, messageId: event.messageId, v: event.v, text: event.text });
  if (event.type === 'patch') return JSON.stringify(event.patch);
  return '{}';
}

/** One frame whose data is small: a delta, a reset, a short thread (docs/protocol.md). */
function smallFrame(event: ServerEvent, data = eventData(event)): Uint8Array {
  const id = event.id === null ? '' : `id: ${event.id}\n`;
  return encoder.encode(`${id}event: ${event.type}\ndata: ${data}\n\n`);
}

/** The frame as chunks: a large thread's data is one shared chunk between its own header and end. */
export function frameChunks(event: ServerEvent): Uint8Array[] {
  if (event.type !== 'thread') return [smallFrame(event)];
  let data = encoded.get(event.thread);
  if (data === undefined) {
    const json = JSON.stringify(event.thread);
    // A short thread is cheaper to frame whole than to keep (most are).
    if (json.length * 3 < SHARED_MIN_BYTES) return [smallFrame(event, json)];
    data = encoder.encode(json);
    encoded.set(event.thread, data);
  }
  const id = event.id === null ? '' : `id: ${event.id}\n`;
  return [encoder.encode(`${id}event: thread\ndata: `), data, encoder.encode('\n\n')];
}
