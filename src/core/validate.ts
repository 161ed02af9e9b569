import { SyncError } from './errors.js';
import { isMessage } from './mutators.js';
import type {
  PullResponse,
  PushRequest,
  PushResponse,
  PushResult,
  ServerEvent,
  Thread,
} from './types.js';

/*
 * Every answer from a server is checked in full before anything reaches the store: a proxy's HTML
 * page, a truncated body or an older server must never be half-applied. A body that fails is a
 * retryable `protocol` error: for a push the outcome is unknown, so the batch is sent again and
 * the server's de-duplication makes that safe (DESIGN §3).
 */

/** The `protocol` error every validator throws: retryable, no status, names route and problem. */
export function protocolError(route: string, problem: string, cause?: unknown): SyncError {
  return new SyncError(
    'protocol',
    `${route}: ${problem}. Nothing in the store changed and syncline retries; check that the ` +
      'server, and any proxy in front of it, speaks syncline protocol v1.',
    cause === undefined ? { retryable: true } : { retryable: true, cause },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Versions and seqs are whole numbers ≥ 0 (DESIGN §3). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A short, safe rendering of an unexpected value for an error message. */
function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Says what is wrong with a thread, or returns undefined when it is valid. */
export function describeThreadProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `a thread that is not an object (${show(value)})`;
  if (typeof value.id !== 'string' || value.id === '') return `a thread whose id is ${show(value.id)}`;
  const name = `thread ${show(value.id)}`;
  if (!isCount(value.v)) return `${name} with v ${show(value.v)} (needs a whole number ≥ 0)`;
  if (typeof value.createdAt !== 'number' || !Number.isFinite(value.createdAt)) {
    return `${name} with createdAt ${show(value.createdAt)}`;
  }
  if (value.title !== undefined && typeof value.title !== 'string') {
    return `${name} with title ${show(value.title)}`;
  }
  if (value.meta !== undefined && !isRecord(value.meta)) return `${name} with meta ${show(value.meta)}`;
  if (!Array.isArray(value.messages)) return `${name} whose messages are ${show(value.messages)}`;
  const ids = new Set<string>();
  for (let i = 0; i < value.messages.length; i++) {
    const message: unknown = value.messages[i];
    if (!isMessage(message)) return `${name} with an invalid message at index ${i} (${show(message)})`;
    // Message ids key the UI's list; two with one id would render one and hide the other.
    if (ids.has(message.id)) return `${name} holding message ${show(message.id)} twice`;
    ids.add(message.id);
  }
  return undefined;
}

export function isThread(value: unknown): value is Thread {
  return describeThreadProblem(value) === undefined;
}

function describeResultProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `a result that is not an object (${show(value)})`;
  if (!isCount(value.seq)) return `a result with seq ${show(value.seq)}`;
  const name = `the result for seq ${value.seq}`;
  if (value.status === 'applied' || value.status === 'duplicate') {
    if (value.v !== undefined && !isCount(value.v)) return `${name} with v ${show(value.v)}`;
    return undefined;
  }
  if (value.status === 'rejected') {
    const error = value.error;
    if (!isRecord(error) || typeof error.code !== 'string' || typeof error.message !== 'string') {
      return `${name}, rejected with error ${show(error)} (needs { code, message } strings)`;
    }
    return undefined;
  }
  return `${name} with status ${show(value.status)} (needs applied, duplicate or rejected)`;
}

/**
 * Checks a `/push` answer against the request it answers: one result per mutation sent, matched
 * by `seq`. Returns a clean copy with the results in the request's order.
 * @throws SyncError of kind `protocol` (retryable) naming what was wrong.
 */
export function parsePushResponse(body: unknown, request: PushRequest): PushResponse {
  const route = 'POST /push';
  if (!isRecord(body)) throw protocolError(route, `the answer is not a JSON object (${show(body)})`);
  if (!isCount(body.lastSeq)) throw protocolError(route, `lastSeq is ${show(body.lastSeq)}`);
  if (!Array.isArray(body.results)) throw protocolError(route, `results is ${show(body.results)}`);
  const sent = request.mutations;
  if (body.results.length !== sent.length) {
    throw protocolError(route, `${body.results.length} results came back for ${sent.length} mutations sent`);
  }
  const slotOf = new Map<number, number>();
  sent.forEach((m, i) => slotOf.set(m.seq, i));
  const ordered = new Array<PushResult | undefined>(sent.length);
  for (const raw of body.results as unknown[]) {
    const problem = describeResultProblem(raw);
    if (problem) throw protocolError(route, problem);
    const result = raw as PushResult;
    const slot = slotOf.get(result.seq);
    if (slot === undefined) throw protocolError(route, `a result for seq ${result.seq}, which was not sent`);
    if (ordered[slot]) throw protocolError(route, `two results for seq ${result.seq}`);
    ordered[slot] =
      result.status === 'rejected'
        ? {
            seq: result.seq,
            status: 'rejected',
            error: { code: result.error.code, message: result.error.message },
          }
        : result.v === undefined
          ? { seq: result.seq, status: result.status }
          : { seq: result.seq, status: result.status, v: result.v };
  }
  // Equal lengths and no seq twice: every slot is filled.
  return { lastSeq: body.lastSeq, results: ordered as PushResult[] };
}

/**
 * Checks a `/pull` answer: a string cursor and an array of valid threads.
 * @throws SyncError of kind `protocol` (retryable) naming what was wrong.
 */
export function parsePullResponse(body: unknown): PullResponse {
  const route = 'POST /pull';
  if (!isRecord(body)) throw protocolError(route, `the answer is not a JSON object (${show(body)})`);
  if (typeof body.cursor !== 'string') throw protocolError(route, `cursor is ${show(body.cursor)}`);
  if (!Array.isArray(body.threads)) throw protocolError(route, `threads is ${show(body.threads)}`);
  for (const thread of body.threads as unknown[]) {
    const problem = describeThreadProblem(thread);
    if (problem) throw protocolError(route, problem);
  }
  return { cursor: body.cursor, threads: body.threads as Thread[] };
}

function parseData(type: string, data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch (err) {
    throw protocolError('GET /events', `a "${type}" event whose data is not valid JSON (${show(data)})`, err);
  }
}

/**
 * Turns one SSE event into a ServerEvent. `id` is the event's cursor (the SSE last event ID).
 * Returns null for event types this version does not know: newer servers may send more.
 * @throws SyncError of kind `protocol` (retryable) when a known event carries invalid data.
 */
export function parseServerEvent(
  type: string | undefined,
  data: string,
  id: string | null | undefined,
): ServerEvent | null {
  const route = 'GET /events';
  const cursor = id === undefined || id === null || id === '' ? null : id;
  if (type === 'reset') return { type: 'reset', id: cursor };
  if (type !== 'thread' && type !== 'delta') return null;
  // Without a cursor the client could not resume after this event without losing or repeating it.
  if (cursor === null) throw protocolError(route, `a "${type}" event without an id (cursor)`);
  const value = parseData(type, data);
  if (type === 'thread') {
    const problem = describeThreadProblem(value);
    if (problem) throw protocolError(route, `a "thread" event with ${problem}`);
    return { type: 'thread', id: cursor, thread: value as Thread };
  }
  if (
    !isRecord(value) ||
    typeof value.threadId !== 'string' ||
    value.threadId === '' ||
    typeof value.messageId !== 'string' ||
    value.messageId === '' ||
    !isCount(value.v) ||
    typeof value.text !== 'string'
  ) {
    throw protocolError(route, `a "delta" event with data ${show(value)} (needs threadId, messageId, v, text)`);
  }
  return {
    type: 'delta',
    id: cursor,
    threadId: value.threadId,
    messageId: value.messageId,
    v: value.v,
    text: value.text,
  };
}
