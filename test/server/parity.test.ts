import { afterEach, describe, expect, it } from 'vitest';
import { createHttpConnector, SyncError, systemClock } from 'syncline';
import type { PushRequest, SyncConnector } from 'syncline';
import { createDevServer } from 'syncline/server';
import type { DevServer } from 'syncline/server';
import { createFakeBackend } from 'syncline/testing';
import type { FakeBackend, Faults } from 'syncline/testing';

/*
 * The fake connector must fail exactly as the HTTP connector does against the dev server, so a
 * test written against the fake holds on the wire. Each case runs on both and compares.
 */

/** What ends a hanging request; only the `hang` case waits for it. */
const HANG_TIMEOUT_MS = 150;
/**
 * Every other case must get its answer: on a loaded machine the first request to a fresh dev
 * server (a new connection, Node loading fetch) took over 150 ms and "healthy push" failed as a
 * timeout. A margin, not a measurement: speed is the bench's.
 */
const ANSWER_TIMEOUT_MS = 10_000;
let server: DevServer | undefined;
let fake: FakeBackend | undefined;

afterEach(async () => {
  fake?.close();
  await server?.close();
  server = fake = undefined;
});

const push = (seq: number, epoch = 1, content = 'hi'): PushRequest => ({
  clientId: 'c1',
  epoch,
  mutations: [
    { seq, id: `w${seq}`, threadId: 't1', name: 'addMessage', args: { message: { id: `m${seq}`, role: 'user', content, createdAt: 1 } }, createdAt: 1 },
  ],
});

type Call = (c: SyncConnector) => Promise<unknown>;

async function outcome(call: Call, connector: SyncConnector) {
  try {
    return { ok: await call(connector) };
  } catch (err) {
    expect(err).toBeInstanceOf(SyncError);
    const e = err as SyncError;
    return { kind: e.kind, status: e.status, retryable: e.retryable, retryAfterMs: e.retryAfterMs };
  }
}

async function both(faults: Faults, call: Call, setup?: Call, timeoutMs = ANSWER_TIMEOUT_MS) {
  server = await createDevServer();
  fake = createFakeBackend({ timeoutMs });
  const http = createHttpConnector({ baseUrl: server.url, timeoutMs });
  if (setup) {
    await setup(http);
    await setup(fake.connector);
  }
  server.setFaults(faults);
  fake.setFaults(faults);
  const onWire = await outcome(call, http);
  const inMemory = await outcome(call, fake.connector);
  expect(inMemory).toEqual(onWire);
  return onWire;
}

const openStream = (c: SyncConnector) => {
  const controller = new AbortController();
  const opened = c.openStream!({
    cursor: null,
    signal: controller.signal,
    onOpen: () => controller.abort(),
    onFrame: () => undefined,
    onEvent: () => undefined,
  });
  return opened.then(() => 'opened');
};

describe('fake connector ≡ HTTP connector against the dev server', () => {
  it.each<[string, Faults, Call, Partial<Record<string, unknown>>]>([
    ['healthy push', {}, (c) => c.push(push(1)), { ok: { lastSeq: 1, results: [{ seq: 1, status: 'applied', v: 1 }] } }],
    ['offline push', { offline: true }, (c) => c.push(push(1)), { kind: 'network', retryable: true }],
    ['offline ping', { offline: true }, (c) => c.ping(), { kind: 'network' }],
    ['errorRate', { errorRate: 1 }, (c) => c.pull({ clientId: 'c1', threads: {} }), { kind: 'http', status: 503, retryable: true }],
    ['rate limited', { rateLimitRate: 1, retryAfterSeconds: 2 }, (c) => c.push(push(1)), { kind: 'http', status: 429, retryAfterMs: 2000 }],
    ['HTML 200', { htmlRate: 1 }, (c) => c.push(push(1)), { kind: 'protocol', status: undefined, retryable: true }],
    ['HTML 502', { htmlRate: 1, htmlStatus: 502 }, (c) => c.push(push(1)), { kind: 'http', status: 502 }],
    ['blockPushes', { blockPushes: true }, (c) => c.push(push(1)), { kind: 'http', status: 503 }],
    ['lost answer', { lostAnswerRate: 1 }, (c) => c.push(push(1)), { kind: 'network' }],
    ['duplicate', { duplicateRate: 1 }, (c) => c.push(push(1)), { ok: { lastSeq: 1, results: [{ seq: 1, status: 'duplicate', v: 1 }] } }],
    ['hang', { hangRate: 1 }, (c) => c.pull({ clientId: 'c1', threads: {} }), { kind: 'timeout', retryable: true }],
    ['ping ignores errors', { errorRate: 1, hangRate: 1 }, (c) => c.ping(), { ok: undefined }],
    ['stream refused', { stream: { refuse: true } }, openStream, { kind: 'http', status: 503 }],
    ['stream offline', { offline: true }, openStream, { kind: 'network' }],
    ['stream opens', {}, openStream, { ok: 'opened' }],
    ['too large', {}, (c) => c.push(push(1, 1, 'x'.repeat(1_100_000))), { kind: 'http', status: 413, retryable: false }],
    ['malformed', {}, (c) => c.push({ clientId: '', epoch: 1, mutations: [] }), { kind: 'protocol', status: 400, retryable: false }],
  ])('%s', async (name, faults, call, expected) => {
    expect(await both(faults, call, undefined, name === 'hang' ? HANG_TIMEOUT_MS : ANSWER_TIMEOUT_MS)).toMatchObject(expected);
  });

  it('an older epoch is fenced on both', async () => {
    const result = await both({}, (c) => c.push(push(2, 1)), (c) => c.push(push(1, 2)));
    expect(result).toMatchObject({ kind: 'fenced', status: 409 });
  });
});

describe('event streams match', () => {
  it('replays the same events from a cursor, in memory and over SSE', async () => {
    // Frozen time: both backends stamp the threads they create alike.
    const clock = { ...systemClock, now: () => 1_700_000_000_000 };
    server = await createDevServer({ clock });
    fake = createFakeBackend({ clock });
    const http = createHttpConnector({ baseUrl: server.url });
    for (const backend of [server.backend, fake.backend]) {
      backend.serverWrite('t1', 'addMessage', { message: { id: 'a', role: 'assistant', content: '', createdAt: 1 } });
      backend.serverWrite('t2', 'setTitle', { title: 'other' });
      backend.serverWrite('t1', 'setTitle', { title: 'first' });
      backend.serverWrite('t3', 'addMessage', { message: { id: 'b', role: 'assistant', content: '', createdAt: 1 } });
      backend.serverWrite('t3', 'appendDelta', { messageId: 'b', text: 'Hel' });
      backend.serverWrite('t3', 'appendDelta', { messageId: 'b', text: 'lo' });
    }
    const collect = async (connector: SyncConnector, cursor: string | null, count: number, protocol?: 1) => {
      const controller = new AbortController();
      const events: unknown[] = [];
      const done = connector.openStream!({
        cursor,
        protocol,
        signal: controller.signal,
        onOpen: () => undefined,
        onFrame: () => undefined,
        onEvent: (event) => {
          events.push(event);
          if (events.length === count) controller.abort();
        },
      });
      const timer = setTimeout(() => controller.abort(), 2000);
      await done;
      clearTimeout(timer);
      return events;
    };
    // Protocol v2: the replayed appends of t3 go out as one run of versions.
    const append = (text: string) => ({ op: 'append', at: 0, id: 'b', path: ['content'], text });
    const onWire = await collect(http, '4', 1);
    expect(onWire).toEqual([{ type: 'patch', id: '6', patch: { threadId: 't3', fromV: 1, v: 3, ops: [append('Hel'), append('lo')] } }]);
    expect(await collect(fake.connector, '4', 1)).toEqual(onWire);
    // Protocol v1: the same versions as deltas, as a v1 server sent them.
    const asV1 = await collect(http, '4', 2, 1);
    expect(asV1).toEqual([
      { type: 'delta', id: '5', threadId: 't3', messageId: 'b', v: 2, text: 'Hel' },
      { type: 'delta', id: '6', threadId: 't3', messageId: 'b', v: 3, text: 'lo' },
    ]);
    expect(await collect(fake.connector, '4', 2, 1)).toEqual(asV1);
    // t2 goes out first, but t1's first entry is still unsent: its id cannot claim more than 0.
    const fromStart = await collect(http, '0', 3);
    expect(fromStart.map((e) => (e as { id: string }).id)).toEqual(['0', '3', '6']);
    expect(await collect(fake.connector, '0', 3)).toEqual(fromStart);
  });

  it('stream faults act alike on both: a reordered event comes after the next one, a duplicate twice', async () => {
    server = await createDevServer();
    fake = createFakeBackend();
    const http = createHttpConnector({ baseUrl: server.url });
    for (const backend of [server.backend, fake.backend]) {
      backend.serverWrite('t1', 'addMessage', { message: { id: 'a', role: 'assistant', content: '', createdAt: 1 } });
      for (const text of ['x', 'y', 'z']) backend.serverWrite('t1', 'appendDelta', { messageId: 'a', text });
    }
    const ids = async (connector: SyncConnector, count: number) => {
      const controller = new AbortController();
      const seen: string[] = [];
      // v1 deltas: one event per version, so the faults act on each.
      const done = connector.openStream!({
        cursor: '1',
        protocol: 1,
        signal: controller.signal,
        onOpen: () => undefined,
        onFrame: () => undefined,
        onEvent: (event) => {
          seen.push(String((event as { id: string }).id));
          if (seen.length === count) controller.abort();
        },
      });
      const timer = setTimeout(() => controller.abort(), 2000);
      await done;
      clearTimeout(timer);
      return seen;
    };
    // The third delta, held back in turn, waits for the next frame (a keepalive): not awaited here.
    const cases: [Faults, string[]][] = [
      [{ stream: { reorderRate: 1 } }, ['3', '2']],
      [{ stream: { duplicateRate: 1 } }, ['2', '2', '3', '3', '4', '4']],
    ];
    for (const [faults, expected] of cases) {
      server.setFaults(faults);
      fake.setFaults(faults);
      expect(await ids(http, expected.length)).toEqual(expected);
      expect(await ids(fake.connector, expected.length)).toEqual(expected);
    }
  });
});
