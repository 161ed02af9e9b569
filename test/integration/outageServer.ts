import { createServer, type ServerResponse } from 'node:http';
import { createMemoryStore, createSyncHandler, toNodeHandler } from 'syncline/server';
import { closeServer, listen } from './foreignServer.js';
import type { Refusal } from '../../bench/refusals.js';

// A 5xx outage over real HTTP on loopback: the protocol server (createSyncHandler on the memory
// store) behind a node:http front that, while a refusal is set, answers every route (push, pull,
// ping, the stream) with that status and an HTML page, as a proxy in front of a server being
// deployed does, and cuts the streams open when the outage starts. The fake-clock counterpart is
// bench/refusals.ts.

export interface OutageServer {
  url: string;
  /** Starts refusing (streams open now are cut), or with null serves again. */
  refuse(refusal: Refusal | null): void;
  /** Requests the front saw per route, refused ones included. */
  requests: Record<'push' | 'pull' | 'ping' | 'events' | 'other', number>;
  close(): Promise<void>;
}

const ROUTES: Partial<Record<string, 'push' | 'pull' | 'ping' | 'events'>> = {
  'POST /push': 'push',
  'POST /pull': 'pull',
  'GET /ping': 'ping',
  'GET /events': 'events',
};

const PAGE = '<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>';

export async function startOutageServer(options: { keepaliveMs?: number } = {}): Promise<OutageServer> {
  const handler = createSyncHandler({ store: createMemoryStore(), keepaliveMs: options.keepaliveMs ?? 1000 });
  const serve = toNodeHandler(handler);
  const streams = new Set<ServerResponse>();
  const requests = { push: 0, pull: 0, ping: 0, events: 0, other: 0 };
  let refusal: Refusal | null = null;

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = ROUTES[`${req.method ?? 'GET'} ${path}`] ?? 'other';
    requests[route]++;
    if (refusal && route !== 'other' && (refusal.routes ?? ['push', 'pull', 'ping', 'events']).includes(route)) {
      const headers: Record<string, string> = { 'content-type': 'text/html' };
      if (refusal.retryAfterSeconds !== undefined) headers['retry-after'] = String(refusal.retryAfterSeconds);
      // The body is not read: the proxy answers at once and closes.
      res.writeHead(refusal.status, { ...headers, connection: 'close' });
      return void res.end(PAGE);
    }
    if (route === 'events') {
      streams.add(res);
      res.on('close', () => streams.delete(res));
    }
    serve(req, res);
  });
  server.requestTimeout = 0;
  const url = await listen(server);

  return {
    url,
    requests,
    refuse(next) {
      refusal = next;
      if (!next || (next.routes && !next.routes.includes('events'))) return;
      for (const res of [...streams]) res.destroy();
    },
    async close() {
      await handler.close();
      await closeServer(server);
    },
  };
}
