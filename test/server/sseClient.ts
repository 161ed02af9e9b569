/** A minimal SSE reader for loopback tests: keeps every frame, comments and `retry:` included. */
export interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: number;
}

export interface EventsConnection {
  res: Response;
  frames: Frame[];
  /** 'open' while reading; 'ended' after a clean end; 'error' when the connection broke. */
  state(): 'open' | 'ended' | 'error';
  /** Waits (bounded) until `check` holds over the frames received so far. */
  until(check: (frames: Frame[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

function parseBlock(block: string): Frame {
  const frame: Frame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else if (line.startsWith('retry:')) frame.retry = Number(line.slice(6).trim());
    else if (line.startsWith('id:')) frame.id = line.slice(3).trim();
    else if (line.startsWith('event:')) frame.event = line.slice(6).trim();
    else if (line.startsWith('data:')) frame.data = (frame.data === undefined ? '' : `${frame.data}\n`) + line.slice(5).trim();
  }
  return frame;
}

export async function openEvents(url: string, headers: Record<string, string> = {}): Promise<EventsConnection> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const frames: Frame[] = [];
  let state: 'open' | 'ended' | 'error' = 'open';
  const read = async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
      let at: number;
      while ((at = text.indexOf('\n\n')) >= 0) {
        frames.push(parseBlock(text.slice(0, at)));
        text = text.slice(at + 2);
      }
    }
  };
  void read().then(
    () => (state = 'ended'),
    () => (state = controller.signal.aborted ? 'ended' : 'error'),
  );
  return {
    res,
    frames,
    state: () => state,
    async until(check, timeoutMs = 2000) {
      const started = performance.now();
      while (!check(frames)) {
        if (performance.now() - started > timeoutMs) {
          throw new Error(`SSE condition not met within ${timeoutMs} ms; frames: ${JSON.stringify(frames)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () => controller.abort(),
  };
}

/** Waits (bounded, real time) until `check` holds. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
