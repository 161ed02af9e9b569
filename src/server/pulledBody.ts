/** Chunks this large go to the consumer alone, never copied (see `take`). */
export const SHARED_MIN_BYTES = 64 * 1024;

/** Where an event stream's bytes wait for its consumer. */
export interface PulledBody {
  body: ReadableStream<Uint8Array>;
  /** Bytes waiting for the consumer. */
  held(): number;
  push(bytes: Uint8Array): void;
  /** Drops what waits (for a reset, or a cut). */
  clear(): void;
  /** Ends once the consumer took what waits: closed cleanly, or errored (a cut connection). */
  finish(withError: boolean): void;
  /** Errors now, dropping what waits. */
  cut(reason: string): void;
}

export interface PulledBodyOptions {
  /** Bytes held changed by `delta`. */
  onHeld(delta: number): void;
  /** The body is done: finished, cut, or cancelled by its consumer. */
  onDone(): void;
}

/**
 * A response body that is pulled, never pushed: bytes wait here (counted) until the consumer
 * asks, so a consumer that stops reading shows up as bytes held, which the stream bounds.
 * Each pull takes everything waiting as one chunk.
 */
export function createPulledBody(options: PulledBodyOptions): PulledBody {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let chunks: Uint8Array[] = [];
  let bytes = 0;
  let wanted = false;
  let finishing: 'clean' | 'error' | null = null;
  let done = false;

  const clear = () => {
    if (bytes !== 0) options.onHeld(-bytes);
    chunks = [];
    bytes = 0;
  };

  const complete = () => {
    if (done) return;
    done = true;
    clear();
    options.onDone();
  };

  /**
   * The next piece for the consumer: small chunks merged into one, a large chunk alone and as
   * is. A large chunk is a thread's serialized bytes that every stream sending that version
   * shares (src/server/sharedFrames.ts): copying it here would pin one copy per stuck stream.
   */
  function take(): Uint8Array {
    let count = 0;
    let size = 0;
    if (chunks[0]!.byteLength >= SHARED_MIN_BYTES) {
      count = 1;
      size = chunks[0]!.byteLength;
    } else {
      while (count < chunks.length && chunks[count]!.byteLength < SHARED_MIN_BYTES) size += chunks[count++]!.byteLength;
    }
    const taken = chunks.splice(0, count);
    bytes -= size;
    options.onHeld(-size);
    if (taken.length === 1) return taken[0]!;
    const out = new Uint8Array(size);
    let at = 0;
    for (const chunk of taken) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }

  function settle() {
    if (done) return;
    if (wanted && bytes > 0) {
      wanted = false;
      controller.enqueue(take());
    }
    if (finishing === null || bytes > 0) return;
    if (finishing === 'error') controller.error(new Error('the event stream was cut'));
    else controller.close();
    complete();
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        wanted = true;
        settle();
      },
      cancel: complete,
    },
    { highWaterMark: 0 },
  );

  return {
    body,
    held: () => bytes,
    push(chunk) {
      if (done || finishing !== null) return;
      chunks.push(chunk);
      bytes += chunk.byteLength;
      options.onHeld(chunk.byteLength);
      settle();
    },
    clear,
    finish(withError) {
      if (done || finishing !== null) return;
      finishing = withError ? 'error' : 'clean';
      settle();
    },
    cut(reason) {
      if (done) return;
      controller.error(new Error(reason));
      complete();
    },
  };
}
