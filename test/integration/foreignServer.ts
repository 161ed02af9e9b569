import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The other origin of the fuzz suite (test/integration/fuzz.test.ts), and the loopback plumbing
// it shares with the hostile server.

/** A loopback server on another origin; it must never see a request. */
export interface ForeignServer {
  url: string;
  received: string[];
  close(): Promise<void>;
}

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // A client that gave up mid-body: whatever arrived (the answer goes nowhere anyway).
    req.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * The foreign origin plays along: it acknowledges every push and feeds a stream, so a client
 * that followed a redirect there would lose writes, not just fail.
 */
export async function startForeignServer(): Promise<ForeignServer> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    void readBody(req).then((body) => {
      if (req.url?.endsWith('/push')) {
        let mutations: { seq: number }[] = [];
        try {
          mutations = (JSON.parse(body.toString('utf8')) as { mutations: { seq: number }[] }).mutations;
        } catch {
          // a GET after a 303: nothing to acknowledge
        }
        const results = mutations.map((m) => ({ seq: m.seq, status: 'applied', v: 1 }));
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ lastSeq: results.at(-1)?.seq ?? 0, results }));
      }
      if (req.url?.includes('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return res.end(': foreign\n\n');
      }
      res.writeHead(204);
      res.end();
    });
  });
  const url = await listen(server);
  return { url, received, close: () => closeServer(server) };
}

