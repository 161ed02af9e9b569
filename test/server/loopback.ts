import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from 'syncline/server';

export interface Loopback {
  url: string;
  close(): Promise<void>;
}

/** A Web-standard handler on node:http through toNodeHandler, on a free loopback port. */
export async function serveOnLoopback(handler: (request: Request) => Promise<Response>): Promise<Loopback> {
  const server = createServer(toNodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads SSE frames from a Web Response body (the handler called directly). */
export function frameReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  return {
    /** The next frame (the lines between two blank lines), or null once the stream ended. */
    async next(): Promise<string | null> {
      for (;;) {
        const at = text.indexOf('\n\n');
        if (at >= 0) {
          const frame = text.slice(0, at);
          text = text.slice(at + 2);
          return frame;
        }
        if (ended) return null;
        const { done, value } = await reader.read();
        if (done) ended = true;
        else text += decoder.decode(value, { stream: true });
      }
    },
    /** The next frame that is not a comment (`: ka`), or null once the stream ended. */
    async event(): Promise<string | null> {
      let frame = await this.next();
      while (frame !== null && frame.startsWith(':')) frame = await this.next();
      return frame;
    },
    cancel: () => reader.cancel(),
  };
}
