import { afterEach, describe, expect, it } from 'vitest';
import { SyncError } from 'syncline';
import type { ServerEvent } from 'syncline';
import { createFakeBackend, createFakeClock, settle } from 'syncline/testing';
import type { FakeBackend, FakeClock, Faults } from 'syncline/testing';

let fake: FakeBackend;
let clock: FakeClock;

function setup(faults: Faults = {}) {
  clock = createFakeClock();
  fake = createFakeBackend({ clock, faults, protocol: 1 }); // v1 events: one per version, coalesced into snapshots (v2: test/server/parity.test.ts)
}

afterEach(() => fake?.close());

const message = (id: string) => ({ message: { id, role: 'user', content: id, createdAt: 1 } });

function write(threadId: string, name: string, args: unknown) {
  expect(fake.backend.serverWrite(threadId, name, args).status).toBe('applied');
}

function open(cursor: string | null) {
  const controller = new AbortController();
  const seen = { opened: false, frames: 0, events: [] as ServerEvent[], outcome: undefined as unknown };
  const done = fake.connector.openStream({
    cursor,
    signal: controller.signal,
    onOpen: () => (seen.opened = true),
    onFrame: () => seen.frames++,
    onEvent: (event) => seen.events.push(event),
  });
  void done.then(
    () => (seen.outcome = 'resolved'),
    (err: unknown) => (seen.outcome = err),
  );
  return { seen, done, abort: () => controller.abort() };
}

const brief = (events: ServerEvent[]) =>
  events.map((e) => (e.type === 'thread' ? `thread ${e.thread.id}@${e.thread.v} #${e.id}` : e.type === 'delta' ? `delta ${e.text}@${e.v} #${e.id}` : `reset #${e.id}`));

describe('fake event stream', () => {
  it('opens, replays after the cursor, then sends live events; a frame per event', async () => {
    setup();
    write('t1', 'addMessage', message('m1'));
    write('t1', 'appendDelta', { messageId: 'm1', text: '+a' });
    const s = open('1');
    await settle();
    expect(s.seen.opened).toBe(true);
    expect(brief(s.seen.events)).toEqual(['delta +a@2 #2']);
    write('t2', 'setTitle', { title: 'two' });
    await settle();
    expect(brief(s.seen.events)).toEqual(['delta +a@2 #2', 'thread t2@1 #3']);
    expect(s.seen.frames).toBe(3); // the keepalive right after the headers, and one per event
    const event = s.seen.events[1] as Extract<ServerEvent, { type: 'thread' }>;
    expect(event.thread).toEqual(fake.thread('t2'));
    expect(Object.isFrozen(event.thread)).toBe(false); // a copy, not the server's snapshot
    s.abort();
    await settle();
    expect(s.seen.outcome).toBe('resolved');
  });

  it('a null cursor streams from now; an unknown or too old cursor gets a reset first', async () => {
    setup();
    write('t1', 'setTitle', { title: 'x' });
    const fromNow = open(null);
    const stale = open('999');
    await settle();
    expect(fromNow.seen.events).toEqual([]);
    expect(stale.seen.events).toEqual([{ type: 'reset', id: '1' }]);
  });

  it('sends a keepalive frame right after opening, then every 3 s of clock time', async () => {
    setup();
    const s = open(null);
    await clock.advanceAsync(2999);
    expect(s.seen.frames).toBe(1);
    await clock.advanceAsync(1);
    expect(s.seen.frames).toBe(2);
    await clock.advanceAsync(6000);
    expect(s.seen.frames).toBe(4);
    expect(s.seen.events).toEqual([]);
  });

  it('coalesces a burst of one thread into its latest snapshot; deltas alone stay deltas', async () => {
    setup();
    const s = open('0');
    for (let i = 0; i < 50; i++) write('t1', 'addMessage', message(`m${i}`));
    write('t2', 'addMessage', message('x'));
    await settle();
    expect(brief(s.seen.events)).toEqual(['thread t1@50 #50', 'thread t2@1 #51']);
    write('t1', 'appendDelta', { messageId: 'm0', text: 'a' });
    write('t1', 'appendDelta', { messageId: 'm0', text: 'b' });
    await settle();
    expect(brief(s.seen.events).slice(2)).toEqual(['delta a@51 #52', 'delta b@52 #53']);
  });

  it('an event id never claims entries it did not carry', async () => {
    setup();
    const s = open('0');
    write('t1', 'addMessage', message('m1')); // #1
    write('t2', 'setTitle', { title: 'x' }); // #2
    write('t1', 'setTitle', { title: 'y' }); // #3
    await settle();
    // t2 goes first; t1's #1 is not delivered until t1's snapshot, so t2's event resumes from 0.
    expect(brief(s.seen.events)).toEqual(['thread t2@1 #0', 'thread t1@2 #3']);
  });

  it('refuse: rejects with an http 503; offline: a network error', async () => {
    setup({ stream: { refuse: true } });
    const refused = open(null);
    await settle();
    expect(refused.seen.outcome).toMatchObject({ kind: 'http', status: 503, retryable: true });
    expect(refused.seen.opened).toBe(false);
    fake.setFaults({ offline: true });
    const offline = open(null);
    await settle();
    expect(offline.seen.outcome).toBeInstanceOf(SyncError);
    expect(offline.seen.outcome).toMatchObject({ kind: 'network' });
  });

  it('going offline breaks an open stream with a network error', async () => {
    setup();
    const s = open(null);
    await settle();
    fake.setFaults({ offline: true });
    await settle();
    expect(s.seen.outcome).toMatchObject({ kind: 'network' });
  });

  it('stall: open but silent (no events, no keepalives) until lifted; nothing is lost', async () => {
    setup({ stream: { stall: true } });
    const s = open('0');
    await clock.advanceAsync(1);
    expect(s.seen.opened).toBe(true);
    write('t1', 'setTitle', { title: 'x' });
    await clock.advanceAsync(20_000);
    expect(s.seen.frames).toBe(0);
    fake.setFaults({});
    await settle();
    expect(brief(s.seen.events)).toEqual(['thread t1@1 #1']);
  });

  it('dropAfter: delivers N events, then rejects with a network error', async () => {
    setup({ stream: { dropAfter: 2 } });
    const s = open('0');
    for (const t of ['a', 'b', 'c']) write(t, 'setTitle', { title: t });
    await settle();
    expect(s.seen.events).toHaveLength(2);
    expect(s.seen.outcome).toMatchObject({ kind: 'network' });
  });

  it('duplicateRate and reorderRate: events twice, or one held back past the next', async () => {
    setup({ stream: { duplicateRate: 1 } });
    const dup = open(null);
    await settle();
    write('t1', 'setTitle', { title: 'x' });
    await settle();
    expect(brief(dup.seen.events)).toEqual(['thread t1@1 #1', 'thread t1@1 #1']);
    dup.abort();

    fake.setFaults({ stream: { reorderRate: 1 } });
    const re = open(null);
    await settle();
    expect(fake.backend.serverWrite('t1', 'appendDelta', { messageId: 'nope', text: 'z' }).status).toBe('rejected');
    write('t2', 'setTitle', { title: 'a' });
    await settle();
    expect(re.seen.events).toEqual([]); // held back
    write('t3', 'setTitle', { title: 'b' });
    await settle();
    expect(brief(re.seen.events)).toEqual(['thread t3@1 #3', 'thread t2@1 #2']);
    write('t4', 'setTitle', { title: 'c' });
    await settle();
    expect(re.seen.events).toHaveLength(2);
    await clock.advanceAsync(3000); // the keepalive releases a held event
    expect(brief(re.seen.events)[2]).toBe('thread t4@1 #4');
  });

  it('close() ends open streams cleanly', async () => {
    setup();
    const s = open(null);
    await settle();
    fake.close();
    await settle();
    expect(s.seen.outcome).toBe('resolved');
    expect(fake.stats().openStreams).toBe(0);
  });
});
