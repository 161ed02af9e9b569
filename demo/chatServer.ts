import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { convertToModelMessages, streamText } from 'ai';
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test';
import { aiMutators } from '../src/ai/index.js';
import { createChatHandler } from '../src/ai/server/index.js';
import type { Mutator } from '../src/model/types.js';
import { createMemoryStore, createSyncHandler, toNodeHandler } from '../src/server/index.js';

/*
 * The server of the useChat page (demo/chat.html, docs/ai.md): the sync handler with
 * createChatHandler and a mock model (no key, no network) that streams a 200-token reply in
 * about 5 s. `POST /admin/outage {"ms": 6000}` makes the network fail for that long, as a train
 * tunnel does: every open connection is cut (a reply mid-stream included) and new ones are
 * refused until it ends. The model goes on meanwhile: its reply is stored as it streams.
 */

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, authorization, last-event-id',
  'access-control-expose-headers': 'retry-after',
};

export interface ChatDemoServerOptions {
  /** 0 lets the system pick a free port. @default 8788 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Tokens of each reply. @default 200 */
  tokens?: number;
  /** Between two tokens. @default 25 (200 tokens in 5 s) */
  tokenMs?: number;
}

export interface ChatDemoServer {
  url: string;
  /** Model runs so far (one per user message). */
  runs(): number;
  /** The server's copy of a chat (its thread). */
  thread(id: string): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * A mock model (the AI SDK's MockLanguageModelV3: no key, no network) whose reply is `words`, one
 * text delta each `delayMs` apart; `onRun` is called for each run. The tests use it too.
 */
export function mockModel(words: string[], delayMs: number, onRun = () => {}) {
  return new MockLanguageModelV3({
    doStream: async () => {
      onRun();
      return {
        stream: simulateReadableStream({
          chunkDelayInMs: delayMs,
          chunks: [
            { type: 'text-start' as const, id: 't' },
            ...words.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
            { type: 'text-end' as const, id: 't' },
            {
              type: 'finish' as const,
              finishReason: { unified: 'stop' as const, raw: undefined },
              usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: words.length, text: words.length, reasoning: 0 } },
            },
          ],
        }),
      };
    },
  });
}

/** A reply of `tokens` words that says which message it answers. */
const answer = (question: string, tokens: number) =>
  Array.from({ length: tokens }, (_, i) => (i === 0 ? `You said “${question.slice(0, 60)}”.` : ` word${i}`));

export async function startChatDemoServer(options: ChatDemoServerOptions = {}): Promise<ChatDemoServer> {
  const tokens = options.tokens ?? 200;
  const tokenMs = options.tokenMs ?? 25;
  const store = createMemoryStore();
  const mutators = aiMutators as unknown as Record<string, Mutator>;
  const handler = createSyncHandler({ store, mutators, headers: CORS });
  let runs = 0;
  const chat = createChatHandler({
    handler,
    store,
    reply: async ({ history, abortSignal }) => {
      runs++;
      const last = history.at(-1);
      const question = last?.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('') ?? '';
      return streamText({ model: mockModel(answer(question, tokens), tokenMs), messages: await convertToModelMessages(history), abortSignal }).toUIMessageStream();
    },
  });
  const serve = toNodeHandler(chat);
  const sockets = new Set<Socket>();
  let outageUntil = 0;

  function admin(req: IncomingMessage, res: ServerResponse) {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const ms = Math.min(Math.max(Number((JSON.parse(body || '{}') as { ms?: unknown }).ms) || 0, 0), 120_000);
      res.writeHead(204, CORS).end();
      outageUntil = Date.now() + ms;
      // Cut every connection but this one: the page's requests and its event stream.
      for (const socket of sockets) if (socket !== req.socket) socket.destroy();
    });
  }

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/admin/outage')) {
      if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
      return admin(req, res);
    }
    if (Date.now() < outageUntil) return void req.socket.destroy();
    serve(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 8788, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    runs: () => runs,
    thread: (id) => store.thread(id),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
    },
  };
}
