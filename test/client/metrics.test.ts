import { createMemoryStorage, createSyncClient, type SyncConnector, type SyncTraceEvent, type Thread } from 'syncline';
import { syncMetrics } from 'syncline/metrics';
import { createFakeBackend, createFakeClock, createFakeEnvironment, createFakeTabs } from 'syncline/testing';
import { userMessage } from '../helpers.js';

// Issue 20 item 1: client.getMetrics() counts known traffic exactly, and its latency quantiles
// are within the sketch's stated relative error of the true samples. Fake clock, fake backend.

/** A mutator the client knows and the server does not: the server rejects it for good. */
const clientOnly = { pin: (draft: Thread, _args: { n: number }) => void draft.messages.length };

function setup({ metrics = true } = {}) {
  const clock = createFakeClock();
  const fake = createFakeBackend({ clock });
  const sent: number[] = [];
  const connector: SyncConnector = {
    ...fake.connector,
    push(request, opts) {
      sent.push(JSON.stringify(request).length);
      return fake.connector.push(request, opts);
    },
  };
  const client = createSyncClient({
    connector,
    clock,
    environment: createFakeEnvironment(clock),
    storage: createMemoryStorage(),
    mutators: clientOnly,
    retry: { baseMs: 50, maxMs: 50 },
    ...(metrics && { metrics: syncMetrics() }),
  });
  const events: SyncTraceEvent[] = [];
  client.observe((e) => events.push(e));
  client.start();
  const until = async (done: () => boolean) => {
    for (let t = 0; t < 60_000 && !done(); t += 5) await clock.advanceAsync(5);
    expect(done()).toBe(true);
  };
  return { clock, fake, client, sent, events, until };
}

/** Nearest rank, as the sketch reads a quantile. */
const trueQuantile = (samples: number[], q: number) => [...samples].sort((a, b) => a - b)[Math.ceil(q * samples.length) - 1]!;

describe('client.getMetrics()', () => {
  it('counts acknowledged, failed and retried writes exactly, and the latency quantiles are within 1 %', async () => {
    const s = setup();
    await s.client.ready;
    const samples: number[] = [];
    for (let i = 0; i < 100; i++) {
      s.fake.setFaults({ latencyMs: 7 * (i + 1) });
      const write = s.client.mutate('t1', 'addMessage', userMessage(`m${i}`));
      let done = false;
      void write.settled.then(() => {
        samples.push(s.clock.now() - write.createdAt);
        done = true;
      });
      await s.until(() => done);
    }
    s.fake.setFaults({});
    // One write through two 503s, acknowledged on its third attempt.
    s.fake.setFaults({ errorRate: 1 });
    const retried = s.client.mutate('t1', 'addMessage', userMessage('r'));
    await s.until(() => (s.client.getPendingItems()[0]?.attempts ?? 0) >= 2);
    s.fake.setFaults({});
    await s.until(() => s.client.getPendingItems().length === 0);
    await retried.settled;
    // One the server refuses.
    const refused = s.client.mutate('t1', 'pin', { n: 1 });
    refused.settled.catch(() => {});
    await s.until(() => s.client.getPendingItems()[0]?.state === 'failed');

    const m = s.client.getMetrics();
    expect(m).toMatchObject({
      writesQueued: 102,
      writesAcknowledged: 101,
      writesFailed: 1,
      writesRetried: 1,
      deliveryRate: 101 / 102,
      queueDepth: 1, // the refused write waits for retry or discard
      latencyRelativeError: 0.01,
    });
    expect(m.pushes).toBe(s.sent.length);
    expect(m.pushFailures).toBeGreaterThanOrEqual(1);
    expect(m.bytesSent).toBeGreaterThanOrEqual(s.sent.reduce((a, b) => a + b, 0));
    expect(m.queueDepthPeak).toBe(1);
    expect(m.ackLatencyMs.count).toBe(101);
    const acked = samples.slice(0, 100);
    for (const [q, key] of [[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']] as const) {
      // The 101st (the retried write) is the slowest: it moves only p99's rank.
      const truth = trueQuantile([...acked, s.events.flatMap((e) => (e.type === 'write-settled' && e.writeId === retried.id ? [e.latencyMs] : []))[0]!], q);
      expect(Math.abs(m.ackLatencyMs[key]! - truth) / truth).toBeLessThanOrEqual(0.01);
    }

    // Discarding the refused write: counted, and the queue is empty.
    s.client.discard(refused.id);
    expect(s.client.getMetrics()).toMatchObject({ writesDiscarded: 1, queueDepth: 0 });
    s.client.dispose();
    s.fake.close();
  });

  it('the last minute forgets samples older than 70 s; since start keeps them', async () => {
    const s = setup();
    await s.client.ready;
    s.fake.setFaults({ latencyMs: 1000 });
    const slow = s.client.mutate('t1', 'addMessage', userMessage('slow'));
    await s.until(() => s.client.getPendingItems().length === 0);
    await slow.settled;
    await s.clock.advanceAsync(80_000);
    s.fake.setFaults({ latencyMs: 10 });
    s.client.mutate('t1', 'addMessage', userMessage('fast'));
    await s.until(() => s.client.getPendingItems().length === 0);
    const m = s.client.getMetrics();
    expect(m.ackLatencyMs.count).toBe(2);
    expect(m.ackLatencyLastMinuteMs.count).toBe(1);
    expect(m.ackLatencyLastMinuteMs.p99!).toBeLessThan(200);
    expect(m.ackLatencyMs.p99!).toBeGreaterThan(1000);
    s.client.dispose();
    s.fake.close();
  });

  it('the trace shows each attempt, the 503 and the answer, and the health transition with its reason', async () => {
    const s = setup();
    await s.client.ready;
    s.fake.setFaults({ errorRate: 1, errorStatus: 503 });
    const write = s.client.mutate('t1', 'addMessage', userMessage('x'));
    await s.until(() => s.events.some((e) => e.type === 'request-failed' && e.request === 'push' && e.status === 503));
    s.fake.setFaults({});
    await s.until(() => s.client.getPendingItems().length === 0);
    const mine = s.events.filter(
      (e) =>
        (e.type === 'push' && e.writes.some((w) => w.writeId === write.id)) ||
        (e.type === 'push-answer' && e.results.some((r) => r.writeId === write.id && r.status === 'applied')) ||
        (e.type === 'request-failed' && e.request === 'push'),
    );
    expect(mine.map((e) => e.type).slice(0, 2)).toEqual(['push', 'request-failed']);
    expect(mine.at(-1)?.type).toBe('push-answer');
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'health', reason: 'server-errors' }));
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'retry-scheduled' }));
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'write-settled', writeId: write.id, outcome: 'acknowledged' }));
    s.client.dispose();
    s.fake.close();
  });

  it('off unless asked for: getMetrics() throws a SyncError saying how to turn them on; observe() still sees every request', async () => {
    const s = setup({ metrics: false });
    await s.client.ready;
    const write = s.client.mutate('t1', 'addMessage', userMessage('x'));
    await s.until(() => s.client.getPendingItems().length === 0);
    expect(() => s.client.getMetrics()).toThrow(expect.objectContaining({ name: 'SyncError', code: 'metrics-off', message: expect.stringContaining('syncMetrics()') }));
    expect(s.events.map((e) => e.type)).toEqual(expect.arrayContaining(['write-queued', 'push', 'push-answer', 'write-settled']));
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'write-settled', writeId: write.id, outcome: 'acknowledged' }));
    s.client.dispose();
    s.fake.close();
  });

  it('counts pulls and their bytes, and stream opens after the first as reconnects', async () => {
    const s = setup();
    s.client.watch('t1');
    await s.until(() => s.client.getMetrics().pulls > 0 && s.client.getMetrics().streamOpen);
    s.client.reconnect();
    await s.until(() => s.client.getMetrics().reconnects === 1 && s.client.getMetrics().streamOpen);
    await s.clock.advanceAsync(1000);
    const m = s.client.getMetrics();
    expect(m.pullBytesReceived).toBeGreaterThan(0);
    expect(m.streamUptimeMs).toBeGreaterThanOrEqual(1000);
    const listener = vi.fn();
    const stop = s.client.observe(listener);
    stop();
    s.client.mutate('t1', 'addMessage', userMessage('after'));
    expect(listener).not.toHaveBeenCalled();
    s.client.dispose();
    s.fake.close();
  });
});

describe('metrics in tabs', () => {
  it('each tab counts its own writes and names its role; only the leader counts the connection', async () => {
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock });
    const storage = createMemoryStorage();
    const tabs = createFakeTabs();
    const tab = () => {
      const client = createSyncClient({
        connector: fake.connector,
        clock,
        storage,
        environment: createFakeEnvironment(clock, { tab: tabs.page() }),
        metrics: syncMetrics(),
      });
      client.start();
      return client;
    };
    const a = tab();
    await clock.advanceAsync(100);
    const b = tab();
    await clock.advanceAsync(100);
    for (let i = 0; i < 3; i++) a.mutate('t1', 'addMessage', userMessage(`a${i}`));
    for (let i = 0; i < 2; i++) b.mutate('t1', 'addMessage', userMessage(`b${i}`));
    for (let t = 0; t < 10_000 && (a.getPendingItems().length || b.getPendingItems().length); t += 10) await clock.advanceAsync(10);
    const [ma, mb] = [a.getMetrics(), b.getMetrics()];
    expect(ma).toMatchObject({ tabRole: 'leader', writesQueued: 3, writesAcknowledged: 3 });
    expect(mb).toMatchObject({ tabRole: 'follower', writesQueued: 2, writesAcknowledged: 2, pushes: 0, pulls: 0 });
    expect(ma.pushes).toBeGreaterThan(0);
    expect(mb.ackLatencyMs.count).toBe(2);
    a.dispose();
    b.dispose();
    fake.close();
  });
});
