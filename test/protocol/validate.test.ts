import { SyncError } from 'syncline';
import type { PushRequest, Thread } from 'syncline';
import {
  describeThreadProblem,
  isThread,
  MAX_CURSOR_CHARS,
  parsePullResponse,
  parsePushResponse,
  parseServerEvent,
} from '../../src/protocol/validate.js';

const thread: Thread = {
  id: 't1',
  v: 0,
  createdAt: 5,
  messages: [
    { id: 'm1', role: 'user', content: 'hi', createdAt: 6 },
    { id: 'm2', role: 'assistant', content: '', createdAt: 7, status: 'done' },
  ],
};

function protocolFailure(fn: () => unknown): SyncError {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(SyncError);
  expect(error).toMatchObject({ kind: 'protocol', retryable: true, status: undefined });
  return error as SyncError;
}

describe('isThread', () => {
  it('accepts a thread with optional title and meta', () => {
    expect(isThread(thread)).toBe(true);
    expect(isThread({ ...thread, title: 'T', meta: { pinned: true } })).toBe(true);
  });

  it("accepts messages of an app's own model: an id is all the protocol needs", () => {
    const parts = [{ type: 'tool-call', callId: 'c1', result: { temp: 21 } }];
    expect(isThread({ ...thread, messages: [{ id: 'm1', parts, flagged: true }] })).toBe(true);
    expect(isThread({ ...thread, messages: [{ ...thread.messages[0], parts }] })).toBe(true);
  });

  // Each message names what is wrong, so a person reading it knows which field to look at.
  it.each<[string, unknown, string]>([
    ['null', null, 'a thread that is not a JSON object (null)'],
    ['an array', [thread], 'a thread that is not a JSON object'],
    ['an empty id', { ...thread, id: '' }, 'a thread with id ""'],
    ['a negative v', { ...thread, v: -1 }, 'thread "t1" with v -1'],
    ['a fractional v', { ...thread, v: 1.5 }, 'thread "t1" with v 1.5'],
    ['a string v', { ...thread, v: '1' }, 'thread "t1" with v "1"'],
    ['a missing createdAt', { ...thread, createdAt: undefined }, 'thread "t1" with createdAt undefined'],
    ['a null title', { ...thread, title: null }, 'thread "t1" with title null'],
    ['a function as title', { ...thread, title: () => 'T' }, 'thread "t1" with title () =>'],
    ['a symbol as title', { ...thread, title: Symbol('T') }, 'thread "t1" with title Symbol(T)'],
    ['meta as an array', { ...thread, meta: [] }, 'thread "t1" with meta []'],
    ['messages missing', { ...thread, messages: undefined }, 'thread "t1" with messages undefined'],
    ['a message with a bad role', { ...thread, messages: [{ id: 'm', role: 'bot', content: '', createdAt: 1 }] }, 'invalid message at index 0'],
    ['a message with content that is not text', { ...thread, messages: [{ id: 'm', role: 'user', content: 7, createdAt: 1 }] }, 'invalid message at index 0'],
    ['a message without an id', { ...thread, messages: [{ role: 'user', content: '', createdAt: 1 }] }, 'invalid message at index 0'],
    ['a message with a bad status', { ...thread, messages: [{ ...thread.messages[0], status: 'sent' }] }, 'invalid message at index 0'],
    ['one message id twice', { ...thread, messages: [thread.messages[0], thread.messages[0]] }, 'holding message "m1" twice'],
  ])('rejects %s and says what is wrong', (_name, value, problem) => {
    expect(isThread(value)).toBe(false);
    expect(describeThreadProblem(value)).toContain(problem);
  });
});

describe('parsePushResponse', () => {
  const request: PushRequest = {
    clientId: 'c',
    epoch: 1,
    mutations: [3, 5, 6].map((seq) => ({ seq, id: `w${seq}`, threadId: 't1', name: 'setTitle', args: {}, createdAt: 1 })),
  };

  it('returns the results in the order of the request, stripped of unknown fields', () => {
    const body = {
      lastSeq: 6,
      extra: true,
      results: [
        { seq: 6, status: 'duplicate', v: 4, note: 'x' },
        { seq: 3, status: 'applied', v: 2 },
        { seq: 5, status: 'rejected', error: { code: 'not-found', message: 'gone', stack: 'x' } },
      ],
    };
    expect(parsePushResponse(body, request)).toEqual({
      lastSeq: 6,
      results: [
        { seq: 3, status: 'applied', v: 2 },
        { seq: 5, status: 'rejected', error: { code: 'not-found', message: 'gone' } },
        { seq: 6, status: 'duplicate', v: 4 },
      ],
    });
  });

  it('accepts an empty batch and results without v', () => {
    expect(parsePushResponse({ lastSeq: 0, results: [] }, { ...request, mutations: [] })).toEqual({ lastSeq: 0, results: [] });
    const ok = parsePushResponse(
      { lastSeq: 6, results: [3, 5, 6].map((seq) => ({ seq, status: 'applied' })) },
      request,
    );
    expect(ok.results[0]).toEqual({ seq: 3, status: 'applied' });
  });

  const applied = (seq: number) => ({ seq, status: 'applied', v: seq });
  it.each<[string, unknown, RegExp]>([
    ['a string body', 'ok', /not a JSON object/],
    ['a missing lastSeq', { results: [applied(3), applied(5), applied(6)] }, /lastSeq/],
    ['a negative lastSeq', { lastSeq: -1, results: [applied(3), applied(5), applied(6)] }, /lastSeq/],
    ['results not an array', { lastSeq: 6, results: {} }, /results/],
    ['a missing result', { lastSeq: 6, results: [applied(3), applied(5)] }, /2 results came back for 3/],
    ['an extra result', { lastSeq: 6, results: [applied(3), applied(5), applied(6), applied(7)] }, /4 results/],
    ['a seq that was not sent', { lastSeq: 7, results: [applied(3), applied(5), applied(7)] }, /seq 7, which was not sent/],
    ['one seq twice', { lastSeq: 6, results: [applied(3), applied(5), applied(5)] }, /two results for seq 5/],
    ['a bad status', { lastSeq: 6, results: [applied(3), applied(5), { seq: 6, status: 'done' }] }, /status "done"/],
    ['a rejection without an error', { lastSeq: 6, results: [applied(3), applied(5), { seq: 6, status: 'rejected' }] }, /rejected/],
    ['a negative v', { lastSeq: 6, results: [applied(3), applied(5), { seq: 6, status: 'applied', v: -2 }] }, /v -2/],
    ['a string seq', { lastSeq: 6, results: [applied(3), applied(5), { seq: '6', status: 'applied' }] }, /seq "6"/],
    ['a lastSeq past 2^53', { lastSeq: 2 ** 53, results: [applied(3), applied(5), applied(6)] }, /lastSeq 9007199254740992/],
    ['a v past 2^53', { lastSeq: 6, results: [applied(3), applied(5), { seq: 6, status: 'applied', v: 1e300 }] }, /v 1e\+300/],
    ['a fractional seq', { lastSeq: 6, results: [applied(3), applied(5), { seq: 5.5, status: 'applied' }] }, /seq 5.5/],
  ])('rejects %s', (_name, body, pattern) => {
    const error = protocolFailure(() => parsePushResponse(body, request));
    expect(error.message).toContain('POST /push');
    expect(error.message).toMatch(pattern);
  });
});

describe('parsePullResponse', () => {
  it('accepts a cursor and threads', () => {
    expect(parsePullResponse({ cursor: '', threads: [thread] })).toEqual({ cursor: '', threads: [thread] });
    const long = 'c'.repeat(MAX_CURSOR_CHARS);
    expect(parsePullResponse({ cursor: long, threads: [] }).cursor).toBe(long);
  });

  it.each<[string, unknown]>([
    ['an array body', []],
    ['a null cursor', { cursor: null, threads: [] }],
    ['threads as an object', { cursor: 'c', threads: { t1: thread } }],
    ['an invalid thread', { cursor: 'c', threads: [thread, { ...thread, id: 't2', v: -3 }] }],
    ['a thread at v 2^53', { cursor: 'c', threads: [{ ...thread, v: 2 ** 53 }] }],
    [`a cursor over ${MAX_CURSOR_CHARS} characters`, { cursor: 'c'.repeat(MAX_CURSOR_CHARS + 1), threads: [] }],
  ])('rejects %s', (_name, body) => {
    expect(protocolFailure(() => parsePullResponse(body)).message).toContain('POST /pull');
  });

  it('names the thread and message index that was wrong', () => {
    const bad = { ...thread, messages: [thread.messages[0], { id: 'm9', role: 'user', content: 1, createdAt: 1 }] };
    expect(protocolFailure(() => parsePullResponse({ cursor: 'c', threads: [bad] })).message).toMatch(
      /thread "t1" with an invalid message at index 1/,
    );
  });
});

describe('parseServerEvent', () => {
  const delta = { threadId: 't1', messageId: 'm1', v: 4, text: 'x' };

  it('parses thread, delta and reset events', () => {
    expect(parseServerEvent('thread', JSON.stringify(thread), '7')).toEqual({ type: 'thread', id: '7', thread });
    expect(parseServerEvent('delta', JSON.stringify({ ...delta, extra: 1 }), '8')).toEqual({ type: 'delta', id: '8', ...delta });
    expect(parseServerEvent('reset', '', '9')).toEqual({ type: 'reset', id: '9' });
    expect(parseServerEvent('reset', '', undefined)).toEqual({ type: 'reset', id: null });
  });

  it('ignores event types it does not know', () => {
    expect(parseServerEvent('presence', 'not even json', '1')).toBeNull();
    expect(parseServerEvent(undefined, '{}', '1')).toBeNull();
  });

  it.each<[string, string, string, string | null]>([
    ['bad JSON', 'thread', '{"id":', '1'],
    ['an invalid thread', 'thread', JSON.stringify({ ...thread, messages: [{}] }), '1'],
    ['a delta without text', 'delta', JSON.stringify({ ...delta, text: undefined }), '1'],
    ['a delta with a fractional v', 'delta', JSON.stringify({ ...delta, v: 4.5 }), '1'],
    ['a delta with an empty threadId', 'delta', JSON.stringify({ ...delta, threadId: '' }), '1'],
    ['a thread without an id', 'thread', JSON.stringify(thread), null],
    ['a delta with an empty id', 'delta', JSON.stringify(delta), ''],
    ['an id (cursor) over the limit', 'delta', JSON.stringify(delta), 'c'.repeat(MAX_CURSOR_CHARS + 1)],
    ['a reset with an id over the limit', 'reset', '', 'c'.repeat(MAX_CURSOR_CHARS + 1)],
  ])('rejects %s', (_name, type, data, id) => {
    expect(protocolFailure(() => parseServerEvent(type, data, id)).message).toContain('GET /events');
  });
});
