import { SyncError } from '../model/errors.js';
import type { ThreadPatch } from '../model/ops.js';
import type { Thread } from '../model/types.js';
import type { PullResponse, PushRequest, PushResponse, PushResult, ServerEvent } from './wire.js';
import { isRecord } from '../model/isRecord.js';

/*
 * Every answer from a server is checked in full before anything reaches the store: a proxy's HTML
 * page, a truncated body or an older server must never be half-applied. A body that fails is a
 * retryable `protocol` error: for a push the outcome is unknown, so the batch is sent again and
 * the server's de-duplication makes that safe (docs/protocol.md).
 */

/** The `protocol` error every validator throws: retryable, no status, names route and problem. */
export function protocolError(route: string, problem: string, cause?: unknown): SyncError {
  return new SyncError(
    'protocol',
    `${route}: ${problem}. Nothing in the store changed and syncline retries; check that the ` +
      'server, and any proxy in front of it, speaks syncline protocol v1 or v2.',
    { retryable: true, cause },
  );
}

type Check = (value: unknown) => boolean;

/** Versions and seqs are whole numbers ≥ 0 (docs/protocol.md). */
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

const isString: Check = (value) => typeof value === 'string';
/**
 * A cursor goes back to the server in a header and the stream's URL: a server's opaque token fits
 * in 2 KiB, and anything longer would make every later request fail at a proxy.
 */
export const MAX_CURSOR_CHARS = 2048;
const isCursor: Check = (value) => isString(value) && (value as string).length <= MAX_CURSOR_CHARS;
const isId: Check = (value) => isString(value) && value !== '';
/** A field that may be absent, and otherwise passes `check`. */
const optional = (check: Check): Check => (value) => value === undefined || check(value);

/** A short, safe rendering of an unexpected value for an error message. */
function show(value: unknown): string {
  let text: string;
  try {
    // JSON.stringify gives undefined for undefined, functions and symbols.
    text = (JSON.stringify(value) as string | undefined) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Says what is wrong with `value`: that it is not an object, or which of `fields` fails its check
 * (`thread "t1" with v -1`). Returns undefined when it is valid.
 */
function describeRecord(value: unknown, name: string, fields: Record<string, Check>): string | undefined {
  if (!isRecord(value)) return `${name} that is not a JSON object (${show(value)})`;
  for (const [key, check] of Object.entries(fields)) {
    if (!check(value[key])) return `${name} with ${key} ${show(value[key])}`;
  }
  return undefined;
}

function throwIfProblem(route: string, problem: string | undefined): void {
  if (problem) throw protocolError(route, problem);
}

const THREAD_FIELDS = {
  v: isCount,
  createdAt: Number.isFinite,
  title: optional(isString),
  meta: optional(isRecord),
  messages: Array.isArray,
} satisfies Record<string, Check>;

const ROLES = new Set<unknown>(['user', 'assistant', 'tool', 'system']);
const STATUSES = new Set<unknown>(['streaming', 'done', 'error']);

/**
 * A message of any app's model: an object with a non-empty string id. The default `Message`
 * fields are checked where present (components and built-in mutators read them); the app's own
 * fields are its schema's to check (`schemas.thread`, docs/typing.md).
 */
const MESSAGE_FIELDS = {
  id: isId,
  role: optional((value) => ROLES.has(value)),
  content: optional(isString),
  createdAt: optional(Number.isFinite),
  status: optional((value) => STATUSES.has(value)),
} satisfies Record<string, Check>;

const isWireMessage = (value: unknown) => describeRecord(value, 'a message', MESSAGE_FIELDS) === undefined;

/** Says what is wrong with a thread, or returns undefined when it is valid. */
export function describeThreadProblem(value: unknown): string | undefined {
  const idProblem = describeRecord(value, 'a thread', { id: isId });
  if (idProblem) return idProblem;
  const thread = value as { id: string; messages: unknown[] };
  const name = `thread ${show(thread.id)}`;
  const fieldProblem = describeRecord(thread, name, THREAD_FIELDS);
  if (fieldProblem) return fieldProblem;
  const ids = new Set<string>();
  for (const [i, message] of thread.messages.entries()) {
    if (!isWireMessage(message)) return `${name} with an invalid message at index ${i} (${show(message)})`;
    // Message ids key the UI's list; two with one id would render one and hide the other.
    const { id } = message as { id: string };
    if (ids.has(id)) return `${name} holding message ${show(id)} twice`;
    ids.add(id);
  }
  return undefined;
}

export function isThread(value: unknown): value is Thread {
  return describeThreadProblem(value) === undefined;
}

/** What a push result of each status carries besides its seq. */
const RESULT_FIELDS = new Map<unknown, Record<string, Check>>([
  ['applied', { v: optional(isCount) }],
  ['duplicate', { v: optional(isCount) }],
  ['rejected', { error: (error) => isRecord(error) && isString(error.code) && isString(error.message) }],
]);

type RawResult = { seq: number; status: PushResult['status']; v?: number; error: { code: string; message: string } };

function describeResultProblem(value: unknown): string | undefined {
  const seqProblem = describeRecord(value, 'a result', { seq: isCount });
  if (seqProblem) return seqProblem;
  const { seq, status } = value as { seq: number; status: unknown };
  const fields = RESULT_FIELDS.get(status);
  if (!fields) return `the result for seq ${seq} with status ${show(status)} (needs applied, duplicate or rejected)`;
  return describeRecord(value, `the ${status as string} result for seq ${seq}`, fields);
}

/**
 * Checks a `/push` answer against the request it answers: one result per mutation sent, matched
 * by `seq`. Returns a clean copy with the results in the request's order.
 * @throws SyncError of kind `protocol` (retryable) naming what was wrong.
 */
export function parsePushResponse(body: unknown, request: PushRequest): PushResponse {
  const route = 'POST /push';
  throwIfProblem(route, describeRecord(body, 'an answer', { lastSeq: isCount, results: Array.isArray }));
  const { lastSeq, results } = body as { lastSeq: number; results: unknown[] };
  const sent = request.mutations;
  if (results.length !== sent.length) {
    throw protocolError(route, `${results.length} results came back for ${sent.length} mutations sent`);
  }
  const slotOf = new Map(sent.map((m, i) => [m.seq, i]));
  const ordered: PushResult[] = [];
  for (const raw of results) {
    throwIfProblem(route, describeResultProblem(raw));
    const { seq, status, v, error } = raw as RawResult;
    const slot = slotOf.get(seq);
    if (slot === undefined) throw protocolError(route, `a result for seq ${seq}, which was not sent`);
    if (ordered[slot]) throw protocolError(route, `two results for seq ${seq}`);
    // A clean copy: fields this version does not know stay out of the store.
    ordered[slot] =
      status === 'rejected'
        ? { seq, status, error: { code: error.code, message: error.message } }
        : v === undefined
          ? { seq, status }
          : { seq, status, v };
  }
  // Equal lengths and no seq twice: every slot is filled.
  return { lastSeq, results: ordered };
}

/**
 * Checks a `/pull` answer: a string cursor (at most MAX_CURSOR_CHARS) and an array of valid threads.
 * @throws SyncError of kind `protocol` (retryable) naming what was wrong.
 */
export function parsePullResponse(body: unknown): PullResponse {
  const route = 'POST /pull';
  throwIfProblem(route, describeRecord(body, 'an answer', { cursor: isCursor, threads: Array.isArray, patches: optional(Array.isArray) }));
  const { cursor, threads, patches } = body as { cursor: string; threads: unknown[]; patches?: unknown[] };
  for (const thread of threads) throwIfProblem(route, describeThreadProblem(thread));
  if (!patches) return { cursor, threads: threads as Thread[] };
  for (const patch of patches) throwIfProblem(route, describePatchProblem(patch));
  return { cursor, threads: threads as Thread[], patches: patches as ThreadPatch[] };
}

const DELTA_FIELDS = { threadId: isId, messageId: isId, v: isCount, text: isString };

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
  // An empty last event ID is no cursor (the SSE spec's reset).
  const cursor = id || null;
  if (cursor !== null && !isCursor(cursor)) throw protocolError(route, `an event id (cursor) of ${cursor.length} characters`);
  if (type === 'reset') return { type, id: cursor };
  if (type !== 'thread' && type !== 'delta' && type !== 'patch') return null;
  // Without a cursor the client could not resume after this event without losing or repeating it.
  if (cursor === null) throw protocolError(route, `a "${type}" event without an id (cursor)`);
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (err) {
    throw protocolError(route, `a "${type}" event whose data is not valid JSON (${show(data)})`, err);
  }
  if (type === 'thread') {
    const problem = describeThreadProblem(value);
    if (problem) throw protocolError(route, `a "thread" event with ${problem}`);
    return { type, id: cursor, thread: value as Thread };
  }
  if (type === 'patch') {
    throwIfProblem(route, describePatchProblem(value));
    return { type, id: cursor, patch: value as ThreadPatch };
  }
  throwIfProblem(route, describeRecord(value, 'a "delta" event', DELTA_FIELDS));
  const { threadId, messageId, v, text } = value as { threadId: string; messageId: string; v: number; text: string };
  return { type, id: cursor, threadId, messageId, v, text };
}

const isIndex: Check = (value) => isCount(value);
const isPath: Check = (value) => Array.isArray(value) && value.every((key) => isString(key) || isCount(key));
const isKey: Check = (value) => isString(value) && value !== 'id' && value !== 'v' && value !== 'messages';

/** What each op kind carries (src/model/ops.ts); anything else about an op is the receiver's gap to find. */
const OP_FIELDS = new Map<unknown, Record<string, Check>>([
  ['insert', { at: isIndex, message: isWireMessage }],
  ['remove', { at: isIndex, id: isId }],
  ['set', { at: isIndex, id: isId, path: isPath, value: (value) => value !== undefined }],
  ['unset', { at: isIndex, id: isId, path: (value) => isPath(value) && (value as unknown[]).length > 0 }],
  ['append', { at: isIndex, id: isId, path: (value) => isPath(value) && (value as unknown[]).length > 0, text: isString }],
  ['thread', { key: isKey }],
]);

/** Says what is wrong with a v2 patch (docs/protocol.md), or returns undefined when it is valid. */
export function describePatchProblem(value: unknown): string | undefined {
  const problem = describeRecord(value, 'a patch', { threadId: isId, fromV: isCount, v: isCount, ops: Array.isArray });
  if (problem) return problem;
  const { threadId, fromV, v, ops } = value as { threadId: string; fromV: number; v: number; ops: unknown[] };
  const name = `the patch of thread ${show(threadId)} from v${fromV}`;
  if (v <= fromV) return `${name} to v${v} (v must be above fromV)`;
  for (const [i, op] of ops.entries()) {
    const kind = isRecord(op) ? op.op : undefined;
    const fields = OP_FIELDS.get(kind);
    if (!fields) return `${name} with op ${i} of kind ${show(kind)} (needs insert, remove, set, unset, append or thread)`;
    const opProblem = describeRecord(op, `${name} with a "${kind as string}" op at ${i}`, fields);
    if (opProblem) return opProblem;
    if (kind === 'set' && (op as { path: unknown[] }).path.length === 0 && !isWireMessage((op as { value: unknown }).value)) {
      return `${name} with op ${i} replacing a message by ${show((op as { value: unknown }).value)}`;
    }
  }
  return undefined;
}
