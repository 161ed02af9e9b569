import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AssistantReply, ReplyOptions } from './assistantReply.js';
import { normalizeFaults } from './faults.js';
import type { FaultController } from './faults.js';
import type { ReferenceBackend } from './referenceBackend.js';
import { readBody, sendError, sendJson } from './http.js';

export interface AdminContext {
  backend: ReferenceBackend;
  faults: FaultController;
  stats(): unknown;
  reply(threadId: string, options: ReplyOptions): AssistantReply;
}

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<{ value: unknown } | undefined> {
  const text = await readBody(req);
  if (text === null) {
    sendError(res, 413, 'too-large', 'The body is larger than 1 MiB.');
    return undefined;
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    sendError(res, 400, 'invalid-json', 'The body is not valid JSON.');
    return undefined;
  }
}

const isAmount = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

/**
 * The routes of the demo's fault panel and of tests. Never subject to faults: the panel must
 * still work while the sync routes are "down".
 */
export async function serveAdmin(ctx: AdminContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/admin/faults') {
    if (method === 'GET') return sendJson(res, 200, ctx.faults.faults());
    if (method === 'POST') {
      const body = await readJson(req, res);
      if (!body) return;
      try {
        ctx.faults.set(normalizeFaults(body.value));
      } catch (err) {
        return sendError(res, 400, 'invalid-faults', (err as Error).message);
      }
      return sendJson(res, 200, ctx.faults.faults());
    }
  }
  if (path === '/admin/threads' && method === 'GET') return sendJson(res, 200, ctx.backend.threads());
  if (path.startsWith('/admin/threads/') && method === 'GET') {
    const id = decodeURIComponent(path.slice('/admin/threads/'.length));
    const thread = ctx.backend.thread(id);
    if (!thread) return sendError(res, 404, 'not-found', `No thread ${id} on this server.`);
    return sendJson(res, 200, thread);
  }
  if (path === '/admin/stats' && method === 'GET') return sendJson(res, 200, ctx.stats());
  if (path === '/admin/reply' && method === 'POST') {
    const body = await readJson(req, res);
    if (!body) return;
    const args = body.value as Record<string, unknown> | null;
    if (
      typeof args !== 'object' ||
      args === null ||
      typeof args.threadId !== 'string' ||
      args.threadId === '' ||
      !isAmount(args.tokens) ||
      !isAmount(args.intervalMs) ||
      (args.text !== undefined && typeof args.text !== 'string')
    ) {
      return sendError(res, 400, 'invalid-args', 'POST /admin/reply needs { threadId, tokens?, intervalMs?, text? }.');
    }
    const reply = ctx.reply(args.threadId, {
      tokens: args.tokens as number | undefined,
      intervalMs: args.intervalMs as number | undefined,
      text: args.text as string | undefined,
    });
    return sendJson(res, 202, { messageId: reply.messageId });
  }
  sendError(res, 404, 'no-route', `No admin route ${method} ${path}.`);
}
