import { afterEach, describe, expect, it } from 'vitest';
import { SyncError } from 'syncline';
import type { PushRequest, PushResponse } from 'syncline';
import { createFakeBackend, createFakeClock, settle } from 'syncline/testing';
import type { FakeBackend, FakeClock, Faults } from 'syncline/testing';

const add = (seq: number, id = `m${seq}`, threadId = 't1'): PushRequest['mutations'][number] => ({
  seq,
  id: `w${seq}`,
  threadId,
  name: 'addMessage',
  args: { message: { id, role: 'user', content: id, createdAt: 1 } },
  createdAt: 1,
});
const pushReq = (...seqs: number[]): PushRequest => ({ clientId: 'c1', epoch: 1, mutations: seqs.map((s) => add(s)) });

let fake: FakeBackend;
let clock: FakeClock;

function setup(faults: Faults = {}, timeoutMs?: number) {
  clock = createFakeClock();
  fake = createFakeBackend({ clock, faults, timeoutMs });
  return fake;
}

afterEach(() => fake?.close());

/** Settles a request while driving the fake clock, and returns what it rejected with. */
async function failure(promise: Promise<unknown>, ms = 0): Promise<SyncError> {
  const outcome = promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  await clock.advanceAsync(ms);
  const err = await outcome;
  expect(err).toBeInstanceOf(SyncError);
  return err as SyncError;
}

describe('fake backend: healthy', () => {
  it('answers push, pull and ping after promises settle, without fake time passing', async () => {
    setup();
    const res = await fake.connector.push(pushReq(1, 2));
    expect(res).toEqual({ lastSeq: 2, results: [{ seq: 1, status: 'applied', v: 1 }, { seq: 2, status: 'applied', v: 2 }] });
    const pulled = await fake.connector.pull({ clientId: 'c1', threads: { t1: 0 } });
    expect(pulled.threads.map((t) => t.v)).toEqual([2]);
    await expect(fake.connector.ping()).resolves.toBeUndefined();
    expect(fake.stats().requests).toMatchObject({ push: 1, pull: 1, ping: 1 });
  });

  it('never shares objects across the boundary', async () => {
    setup();
    const req = pushReq(1);
    await fake.connector.push(req);
    (req.mutations[0]!.args as { message: { content: string } }).message.content = 'mutated by the client';
    const pulled = await fake.connector.pull({ clientId: 'c1', threads: { t1: 0 } });
    expect(pulled.threads[0]!.messages[0]!.content).toBe('m1');
    pulled.threads[0]!.messages[0]!.content = 'mutated again';
    expect(fake.thread('t1')?.messages[0]?.content).toBe('m1');
    expect(Object.isFrozen(pulled.threads[0])).toBe(false);
  });

  it('adds latency in clock time', async () => {
    setup({ latencyMs: 200 });
    let done = false;
    void fake.connector.ping().then(() => (done = true));
    await clock.advanceAsync(199);
    expect(done).toBe(false);
    await clock.advanceAsync(1);
    expect(done).toBe(true);
  });
});

describe('fake backend: every fault rejects with the SyncError the HTTP connector would give', () => {
  it('offline: network error on every route, ping included', async () => {
    setup({ offline: true });
    const errors = await Promise.all(
      [fake.connector.push(pushReq(1)), fake.connector.pull({ clientId: 'c1', threads: {} }), fake.connector.ping()].map((p) =>
        failure(p),
      ),
    );
    for (const err of errors) expect(err).toMatchObject({ kind: 'network', retryable: true });
    expect(fake.backend.stats().pushes).toBe(0);
  });

  it('errorRate: the errorStatus (default 503) as a retryable http error; ping unaffected', async () => {
    setup({ errorRate: 1 });
    const err = await failure(fake.connector.push(pushReq(1)));
    expect(err).toMatchObject({ kind: 'http', status: 503, retryable: true });
    await expect(fake.connector.ping()).resolves.toBeUndefined();
    fake.setFaults({ errorRate: 1, errorStatus: 500 });
    expect(await failure(fake.connector.pull({ clientId: 'c1', threads: {} }))).toMatchObject({ kind: 'http', status: 500 });
    fake.setFaults({ errorRate: 1, errorStatus: 401 });
    expect(await failure(fake.connector.push(pushReq(1)))).toMatchObject({ kind: 'auth', status: 401 });
    expect(fake.thread('t1')).toBeUndefined();
  });

  it('rateLimitRate: 429 with retryAfterMs from Retry-After', async () => {
    setup({ rateLimitRate: 1, retryAfterSeconds: 7 });
    expect(await failure(fake.connector.push(pushReq(1)))).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 7000 });
  });

  it('htmlRate: a 200 HTML page is a retryable protocol error without status; a 502 one an http error', async () => {
    setup({ htmlRate: 1 });
    const err = await failure(fake.connector.push(pushReq(1)));
    expect(err).toMatchObject({ kind: 'protocol', retryable: true });
    expect(err.status).toBeUndefined();
    fake.setFaults({ htmlRate: 1, htmlStatus: 502 });
    expect(await failure(fake.connector.pull({ clientId: 'c1', threads: {} }))).toMatchObject({ kind: 'http', status: 502 });
    expect(fake.backend.stats().pushes).toBe(0);
  });

  it('blockPushes: every push 503, pulls fine', async () => {
    setup({ blockPushes: true });
    expect(await failure(fake.connector.push(pushReq(1)))).toMatchObject({ kind: 'http', status: 503 });
    await expect(fake.connector.pull({ clientId: 'c1', threads: {} })).resolves.toMatchObject({ threads: [] });
  });

  it('hangRate: only the timeout (clock time) ends the request, with a timeout error', async () => {
    setup({ hangRate: 1 }, 5000);
    let settled = false;
    const p = fake.connector.push(pushReq(1)).finally(() => (settled = true));
    await clock.advanceAsync(4999);
    expect(settled).toBe(false);
    expect((await failure(p, 1)).kind).toBe('timeout');
    expect(fake.backend.stats().pushes).toBe(0);
  });

  it('a hang ends when the caller aborts', async () => {
    setup({ hangRate: 1 });
    const controller = new AbortController();
    const p = fake.connector.pull({ clientId: 'c1', threads: {} }, { signal: controller.signal });
    controller.abort();
    expect((await failure(p)).kind).toBe('network');
    expect((await failure(fake.connector.ping({ signal: controller.signal }))).kind).toBe('network');
  });

  it('latency longer than timeoutMs times out and the request never reaches the server', async () => {
    setup({ latencyMs: 20_000 });
    expect((await failure(fake.connector.push(pushReq(1)), 10_000)).kind).toBe('timeout');
    await clock.advanceAsync(20_000);
    expect(fake.thread('t1')).toBeUndefined();
  });

  it('lostAnswerRate: the push IS applied, the client sees a network error; the retry is a duplicate', async () => {
    setup({ lostAnswerRate: 1 });
    expect((await failure(fake.connector.push(pushReq(1)))).kind).toBe('network');
    expect(fake.thread('t1')?.v).toBe(1);
    fake.setFaults({});
    const res = await fake.connector.push(pushReq(1));
    expect(res.results).toEqual([{ seq: 1, status: 'duplicate', v: 1 }]);
    expect(fake.backend.applied).toHaveLength(1);
  });

  it('duplicateRate: the request is handled twice, applied once, the second answer is sent', async () => {
    setup({ duplicateRate: 1 });
    const res = await fake.connector.push(pushReq(1, 2));
    expect(res.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(fake.backend.applied.map((a) => a.seq)).toEqual([1, 2]);
    expect(fake.backend.stats().pushes).toBe(2);
  });

  it('a 409 for an older epoch is a fenced error', async () => {
    setup();
    await fake.connector.push({ ...pushReq(1), epoch: 3 });
    expect(await failure(fake.connector.push({ ...pushReq(2), epoch: 2 }))).toMatchObject({ kind: 'fenced', status: 409 });
  });

  it('a malformed request is a 400 protocol error; a body over 1 MiB is 413', async () => {
    setup();
    const bad = { clientId: 'c1', epoch: 1, mutations: [{ seq: 'one' }] } as unknown as PushRequest;
    expect(await failure(fake.connector.push(bad))).toMatchObject({ kind: 'protocol', status: 400, retryable: false });
    const big: PushRequest = { clientId: 'c1', epoch: 1, mutations: [{ ...add(1), args: { message: { id: 'x', role: 'user', content: 'é'.repeat(600_000), createdAt: 1 } } }] };
    expect(await failure(fake.connector.push(big))).toMatchObject({ kind: 'http', status: 413, retryable: false });
  });

  it('rates draw from a seeded PRNG: the same seed fails the same requests', async () => {
    const run = async () => {
      setup({ errorRate: 0.5, seed: 7 });
      const outcomes: string[] = [];
      for (let i = 1; i <= 20; i++) {
        outcomes.push(await fake.connector.push(pushReq(i)).then(() => 'ok', () => 'fail'));
      }
      fake.close();
      return outcomes.join(',');
    };
    const first = await run();
    expect(first).toContain('ok');
    expect(first).toContain('fail');
    expect(await run()).toBe(first);
  });

  it('close() fails requests in flight with a network error and refuses new ones', async () => {
    setup({ latencyMs: 1000 });
    const p = fake.connector.push(pushReq(1));
    fake.close();
    expect((await failure(p)).kind).toBe('network');
    expect((await failure(fake.connector.ping())).kind).toBe('network');
  });
});

describe('fake backend: replies', () => {
  it('streams an assistant reply in clock time, then marks it done', async () => {
    setup();
    await fake.connector.push(pushReq(1));
    const reply = fake.reply('t1', { text: 'Hello there friend', intervalMs: 100 });
    expect(fake.thread('t1')?.messages[1]).toMatchObject({ id: reply.messageId, role: 'assistant', content: '', status: 'streaming' });
    await clock.advanceAsync(250);
    expect(fake.thread('t1')?.messages[1]?.content).toBe('Hello there ');
    await clock.advanceAsync(1000);
    await expect(reply.done).resolves.toBe('done');
    expect(fake.thread('t1')?.messages[1]).toMatchObject({ content: 'Hello there friend', status: 'done' });
    expect(fake.thread('t1')?.v).toBe(6); // add, 3 deltas, status
  });

  it('answers user messages itself with assistant.autoReply', async () => {
    clock = createFakeClock();
    fake = createFakeBackend({ clock, assistant: { autoReply: true, tokens: 3, intervalMs: 10 } });
    await fake.connector.push(pushReq(1));
    await fake.connector.push({ ...pushReq(2), mutations: [{ ...add(2, 'm1') }] }); // same message again: no second reply
    await settle();
    await clock.advanceAsync(100);
    const messages = fake.thread('t1')!.messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1]).toMatchObject({ status: 'done' });
  });
});

export type { PushResponse };
