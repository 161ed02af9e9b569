/** What a frame of an event stream is (docs/protocol.md): the `retry:` hint, a `:` comment (keepalive), or an event. */
export type FrameKind = 'hint' | 'keepalive' | 'event';

const NEWLINE = 10;
const COLON = 58;
const R = 114;

/**
 * Cuts an event stream's bytes into frames (each ends with a blank line) without copying them:
 * a frame is the pieces of the chunks it spans, so a large thread's shared bytes
 * (src/server/sharedFrames.ts) stay shared. Event data is JSON, which holds no raw newline.
 */
export function createFrameSplitter(onFrame: (kind: FrameKind, frame: Uint8Array[], bytes: number) => void): (chunk: Uint8Array) => void {
  let parts: Uint8Array[] = [];
  let bytes = 0;
  let endsInNewline = false; // the last byte of `parts` is a newline

  const kindOf = (first: number): FrameKind => (first === COLON ? 'keepalive' : first === R ? 'hint' : 'event');

  return (chunk) => {
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) {
      const afterNewline = at > start ? chunk[at - 1] === NEWLINE : at === 0 && endsInNewline;
      if (!afterNewline) continue;
      const piece = chunk.subarray(start, at + 1);
      const frame = [...parts, piece];
      const size = bytes + piece.byteLength;
      parts = [];
      bytes = 0;
      endsInNewline = false;
      start = at + 1;
      onFrame(kindOf(frame[0]![0]!), frame, size);
    }
    if (start < chunk.length) {
      parts.push(chunk.subarray(start));
      bytes += chunk.length - start;
      endsInNewline = chunk[chunk.length - 1] === NEWLINE;
    }
  };
}
