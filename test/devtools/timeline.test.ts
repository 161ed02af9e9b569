import { createMemoryStorage, createSyncClient, type SyncTraceEvent } from 'syncline';
import { createTimeline, groupWrites } from 'syncline/devtools';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { userMessage } from '../helpers.js';

// Issue 20, the inspector's timeline model: a real client over the fake backend on the fake clock.

function setup() {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock });
  const client = createSyncClient({
    connector: fake.connector,
    clock,
    environment: createFakeEnvironment(clock),
    storage: createMemoryStorage(),
    retry: { baseMs: 50, maxMs: 50 },
  });
  client.start();
  const until = async (done: () => boolean) => {
    for (let t = 0; t < 60_000 && !done(); t += 5) await clock.advanceAsync(5);
    expect(done()).toBe(true);
  };
  const close = () => {
    client.dispose();
    fake.close();
  };
  return { clock, fake, client, until, close };
}

/** A stand-in client that only traces: the ring's bounds, without a network. */
function tracer() {
  const listeners = new Set<(e: SyncTraceEvent) => void>();
  return {
    listeners,
    observe(listener: (e: SyncTraceEvent) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(e: SyncTraceEvent) {
      for (const l of listeners) l(e);
    },
  };
}

const queued = (i: number, threadId = 't1'): SyncTraceEvent => ({ type: 'write-queued', at: i, writeId: `w${i}`, threadId, name: 'addMessage' });

describe('the inspector timeline', () => {
  it('groups a write through a 503: each attempt, the failure with its status, then the ack; the health transition with its reason', async () => {
    const s = setup();
    await s.client.ready;
    const timeline = createTimeline(s.client);
    const stop = timeline.subscribe(() => {});
    s.fake.setFaults({ errorRate: 1, errorStatus: 503 });
    const write = s.client.mutate('t1', 'addMessage', userMessage('x'));
    await s.until(() => (s.client.getPendingItems()[0]?.attempts ?? 0) >= 2);
    s.fake.setFaults({});
    await s.until(() => s.client.getPendingItems().length === 0);

    const group = groupWrites(timeline.getSnapshot().entries).find((g) => g.writeId === write.id)!;
    expect(group).toMatchObject({ threadId: 't1', name: 'addMessage', outcome: 'acknowledged' });
    expect(group.attempts.length).toBeGreaterThanOrEqual(3);
    expect(group.attempts.slice(0, -1).every((a) => a.answer === 'failed' && a.status === 503)).toBe(true);
    expect(group.attempts.at(-1)).toMatchObject({ answer: 'applied', status: null });
    expect(timeline.getSnapshot().entries.map((e) => e.event)).toContainEqual(expect.objectContaining({ type: 'health', reason: 'server-errors' }));
    stop();
    s.close();
  });

  it('keeps a bounded ring and says how many older events it did not keep', () => {
    const t = tracer();
    const timeline = createTimeline(t, { limit: 3 });
    const stop = timeline.subscribe(() => {});
    for (let i = 0; i < 5; i++) t.emit(queued(i));
    const snap = timeline.getSnapshot();
    expect(snap.entries.map((e) => e.n)).toEqual([2, 3, 4]);
    expect(snap.dropped).toBe(2);
    // One object until the next event (useSyncExternalStore re-renders on a new one only).
    expect(timeline.getSnapshot()).toBe(snap);
    t.emit(queued(5));
    expect(timeline.getSnapshot().entries.map((e) => e.n)).toEqual([3, 4, 5]);
    expect(timeline.toJSON().dropped).toBe(3);
    stop();
  });

  it('listens to the client only while someone subscribes', () => {
    const t = tracer();
    const timeline = createTimeline(t);
    expect(t.listeners.size).toBe(0);
    const a = timeline.subscribe(() => {});
    const b = timeline.subscribe(() => {});
    expect(t.listeners.size).toBe(1);
    a();
    expect(t.listeners.size).toBe(1);
    b();
    expect(t.listeners.size).toBe(0);
    t.emit(queued(1));
    expect(timeline.getSnapshot().entries).toHaveLength(0);
  });

  it('filters by thread, lists the threads seen, and toJSON is plain data of that thread', () => {
    const t = tracer();
    const timeline = createTimeline(t);
    const stop = timeline.subscribe(() => {});
    t.emit(queued(1, 'a'));
    t.emit(queued(2, 'b'));
    t.emit({ type: 'push', at: 3, bytes: 10, writes: [{ writeId: 'w1', threadId: 'a', seq: 1 }, { writeId: 'w2', threadId: 'b', seq: 2 }] });
    t.emit({ type: 'stream-opened', at: 4 });
    expect(timeline.getSnapshot().threads).toEqual(['a', 'b']);
    const report = timeline.toJSON('b');
    expect(report.events.map((e) => e.type)).toEqual(['write-queued', 'push']);
    expect(report.writes.map((w) => w.writeId)).toEqual(['w2']);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(timeline.toJSON().events).toHaveLength(4);
    stop();
  });

  it('an out-of-range limit is clamped to at least one event', () => {
    const t = tracer();
    const timeline = createTimeline(t, { limit: 0 });
    const stop = timeline.subscribe(() => {});
    t.emit(queued(1));
    t.emit(queued(2));
    expect(timeline.getSnapshot()).toMatchObject({ dropped: 1 });
    expect(timeline.getSnapshot().entries).toHaveLength(1);
    stop();
  });
});
