import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, readBody } from './foreignServer.js';
import type { Answer, JsonEdit, Route } from './hostileAnswers.js';

// A real node:http server on loopback in front of the real protocol server (the dev server): per
// request it serves the next scripted hostile answer for that route, or forwards the request.
// Every wait is bounded, so a test that uses it always ends.

/** An endless or hanging answer is cut after this long even if the client never gives up. */
const MAX_ANSWER_MS = 800;
/** Paths under this prefix are the targets of same-origin redirects: always forwarded. */
const SAME_ORIGIN_PREFIX = '/~redirected';

const ROUTES: Record<string, Route> = { 'POST /push': 'push', 'POST /pull': 'pull', 'GET /ping': 'ping', 'GET /events': 'events' };

export type Script = (route: Route, tag: string | undefined) => Answer | undefined;

export interface HostileServer {
  url: string;
  /**
   * Where the next answers come from, given the route and the request's `x-client-tag` header (a
   * test tags each client's requests to give each its own script). Undefined: forward.
   */
  setScript(next: Script): void;
  /** Called once each answer is over (sent, cut, or abandoned by the client). */
  onAnswered(listener: (route: Route, answer: Answer, tag: string | undefined) => void): void;
  close(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export async function startHostileServer(options: { upstream: string; foreign: string }): Promise<HostileServer> {
  const target = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true });
  let script: Script = () => undefined;
  const listeners: ((route: Route, answer: Answer, tag: string | undefined) => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  /** The last real JSON answer per route and client tag, for `stale` edits. */
  const previous = new Map<string, unknown>();

  const later = (fn: () => void, ms: number) => {
    const id = setTimeout(() => {
      timers.delete(id);
      fn();
    }, ms);
    timers.add(id);
  };

  /** Forwards a buffered request to the real server and buffers its answer. */
  function forward(req: IncomingMessage, path: string, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const { host: _host, connection: _connection, ...headers } = req.headers;
      const up = httpRequest(
        { host: target.hostname, port: target.port, path, method: req.method, headers, agent },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(answer.headers)) if (typeof v === 'string') out[k] = v;
            resolve({ status: answer.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          answer.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });
  }

  /** Pipes the real event stream; cut after `cutAfterMs` (null: never) or when the client leaves. */
  function forwardStream(req: IncomingMessage, res: ServerResponse, path: string, cutAfterMs: number | null) {
    const { host: _host, connection: _connection, ...headers } = req.headers;
    const up = httpRequest({ host: target.hostname, port: target.port, path, method: 'GET', headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end();
    res.on('close', () => up.destroy());
    if (cutAfterMs !== null) later(() => res.destroy(), cutAfterMs);
  }

  function sendUpstream(res: ServerResponse, answer: Upstream, body: Buffer = answer.body) {
    const { 'content-length': _length, 'transfer-encoding': _encoding, connection: _connection, ...headers } = answer.headers;
    res.writeHead(answer.status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  }

  function body(kind: string): Buffer {
    switch (kind) {
      case 'html':
        return Buffer.from('<!doctype html><title>Bad gateway</title><h1>502 Bad Gateway</h1>');
      case 'json-error':
        return Buffer.from(JSON.stringify({ error: { code: 'teapot', message: '<script>alert(1)</script>' } }));
      case 'binary':
        return Buffer.from([0, 255, 254, 0x7b, 0x22, 0xc3, 0x28, 10, 13, 0]);
      case 'not-json':
        return Buffer.from('{"lastSeq": 1, "results": [');
      case 'empty-object':
        return Buffer.from('{}');
      default:
        return Buffer.alloc(0);
    }
  }

  /** Sends raw bytes on the socket, bypassing Node's HTTP writer. */
  function raw(res: ServerResponse, text: string, then: 'destroy' | 'hang') {
    const socket = res.socket;
    if (!socket) return;
    socket.write(text);
    if (then === 'destroy') later(() => socket.destroy(), 5);
    else later(() => socket.destroy(), MAX_ANSWER_MS);
  }

  async function serve(route: Route, answer: Answer, req: IncomingMessage, res: ServerResponse, path: string, reqBody: Buffer) {
    // An event stream never ends, so it cannot be buffered: there, `forward` does not apply.
    const forwardFirst = 'forward' in answer && answer.forward && route !== 'events';
    const upstream = forwardFirst || answer.kind === 'edit' ? await forward(req, path, reqBody) : null;
    if (res.destroyed) return;
    switch (answer.kind) {
      case 'behave':
        if (route === 'events') return forwardStream(req, res, path, answer.cutAfterMs);
        return sendUpstream(res, await forward(req, path, reqBody));
      case 'status': {
        const headers: Record<string, string> = {};
        if (answer.contentType !== null) headers['content-type'] = answer.contentType;
        if (answer.retryAfter !== null) headers['retry-after'] = answer.retryAfter;
        const content = answer.status === 204 || answer.status === 304 ? Buffer.alloc(0) : body(answer.body);
        res.writeHead(answer.status, headers);
        return void res.end(content);
      }
      case 'redirect': {
        const headers: Record<string, string> = {};
        const url = req.url ?? '/';
        if (answer.to === 'same') headers.location = `http://127.0.0.1:${(req.socket.localPort ?? 0)}${SAME_ORIGIN_PREFIX}${url}`;
        if (answer.to === 'same-relative') headers.location = `${SAME_ORIGIN_PREFIX}${url}`;
        if (answer.to === 'foreign') headers.location = `${options.foreign}${url}`;
        res.writeHead(answer.status, headers);
        return void res.end();
      }
      case 'edit': {
        let value: unknown;
        try {
          value = JSON.parse(upstream!.body.toString('utf8'));
        } catch {
          return sendUpstream(res, upstream!);
        }
        const listKey = route === 'push' ? 'results' : 'threads';
        const key = `${route} ${String(req.headers['x-client-tag'])}`;
        const stale = previous.get(key);
        previous.set(key, value);
        for (const edit of answer.edits) value = edit.op === 'stale' ? (stale ?? value) : applyEdit(value, listKey, edit);
        return sendUpstream(res, upstream!, Buffer.from(JSON.stringify(value) ?? 'undefined'));
      }
      case 'raw':
        return serveRaw(route, answer.shape, req, res, path, reqBody, upstream);
      case 'stream': {
        res.writeHead(answer.status, { 'content-type': answer.contentType, 'cache-control': 'no-cache' });
        res.flushHeaders();
        for (const frame of answer.frames) res.write(frame);
        if (answer.end === 'close') return void res.end();
        if (answer.end === 'destroy') return later(() => res.destroy(), 5);
        return later(() => res.destroy(), MAX_ANSWER_MS);
      }
    }
  }

  async function serveRaw(
    route: Route,
    shape: string,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    reqBody: Buffer,
    upstream: Upstream | null,
  ) {
    const json = route === 'events' ? 'text/event-stream' : 'application/json';
    switch (shape) {
      case 'informational':
        return raw(res, 'HTTP/1.1 199 Odd\r\nx-odd: 1\r\n\r\n', 'destroy');
      case 'early-hints':
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        if (route === 'events') return forwardStream(req, res, path, 300);
        return sendUpstream(res, upstream ?? (await forward(req, path, reqBody)));
      case 'cut-headers':
        return raw(res, 'HTTP/1.1 200 OK\r\ncontent-ty', 'destroy');
      case 'huge-length':
      case 'huge-length-hang':
        return raw(
          res,
          `HTTP/1.1 200 OK\r\ncontent-type: ${json}\r\ncontent-length: 1099511627776\r\n\r\n{"lastSeq":`,
          shape === 'huge-length' ? 'destroy' : 'hang',
        );
      case 'endless': {
        res.writeHead(200, { 'content-type': json });
        res.flushHeaders();
        const started = Date.now();
        const drip = () => {
          if (res.destroyed || closing) return;
          if (Date.now() - started > MAX_ANSWER_MS) return void res.destroy();
          res.write(route === 'events' ? 'data: [' : '[[[[');
          later(drip, 5);
        };
        return drip();
      }
      case 'hang':
        res.writeHead(200, { 'content-type': json });
        res.flushHeaders();
        return later(() => res.destroy(), MAX_ANSWER_MS);
      case 'no-answer':
        return void req.socket.destroy();
      case 'truncated': {
        if (route === 'events') return forwardStream(req, res, path, 50);
        const real = upstream ?? (await forward(req, path, reqBody));
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': json, 'content-length': String(Math.max(real.body.length, 2)) });
        res.write(real.body.subarray(0, Math.floor(real.body.length / 2)));
        return later(() => res.destroy(), 5);
      }
    }
  }

  const server = createServer((req, res) => {
    const raw = req.url ?? '/';
    const redirected = raw.startsWith(SAME_ORIGIN_PREFIX);
    const path = redirected ? raw.slice(SAME_ORIGIN_PREFIX.length) || '/' : raw;
    const q = path.indexOf('?');
    const route = ROUTES[`${req.method} ${q < 0 ? path : path.slice(0, q)}`];
    const tagHeader = req.headers['x-client-tag'];
    const tag = typeof tagHeader === 'string' ? tagHeader : undefined;
    const answer: Answer = (!redirected && route && script(route, tag)) || { kind: 'behave', cutAfterMs: -1 };
    let done = false;
    res.on('close', () => {
      if (done || !route) return;
      done = true;
      for (const listener of listeners) listener(route, answer, tag);
    });
    void readBody(req)
      .then((reqBody) => {
        if (closing) return void res.destroy();
        if (answer.kind === 'behave' && answer.cutAfterMs < 0) {
          // Redirect targets, unknown routes and the behaving phase: the real server, whole.
          if (route === 'events') return forwardStream(req, res, path, null);
          return forward(req, path, reqBody).then((up) => sendUpstream(res, up));
        }
        return serve(route!, answer, req, res, path, reqBody);
      })
      .catch(() => res.destroy());
  });
  server.keepAliveTimeout = 1000;
  const url = await listen(server);

  return {
    url,
    setScript: (next) => (script = next),
    onAnswered: (listener) => void listeners.push(listener),
    async close() {
      closing = true;
      for (const id of timers) clearTimeout(id);
      timers.clear();
      await closeServer(server);
      agent.destroy();
    },
  };
}

function pick<T>(list: T[], index: number): number {
  return list.length === 0 ? -1 : index % list.length;
}

/** Applies one edit to a JSON answer; edits that do not fit its shape leave it as it is. */
function applyEdit(value: unknown, listKey: string, edit: JsonEdit): unknown {
  if (edit.op === 'replace') return edit.value;
  if (edit.op === 'stale') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const answer = { ...(value as Record<string, unknown>) };
  if (edit.op === 'top') {
    answer[edit.key] = edit.value;
    return answer;
  }
  const list = Array.isArray(answer[listKey]) ? [...(answer[listKey] as unknown[])] : null;
  if (!list) return answer;
  answer[listKey] = list;
  if (edit.op === 'add') {
    list.push(edit.item);
    return answer;
  }
  const at = pick(list, edit.index);
  if (at < 0) return answer;
  const item = list[at];
  if (edit.op === 'drop') list.splice(at, 1);
  else if (edit.op === 'duplicate') list.splice(at, 0, item);
  else if (typeof item === 'object' && item !== null) {
    const copy = { ...(item as Record<string, unknown>) };
    if (edit.op === 'item') copy[edit.key] = edit.value;
    if (edit.op === 'older' && typeof copy.v === 'number') copy.v = copy.v - edit.by;
    list[at] = copy;
  }
  return answer;
}
