import { afterEach, describe, expect, it } from 'vitest';
import type { PushRequest } from 'syncline';
import { createSyncHandler, toPrometheusText, type SyncHandler } from 'syncline/server';
import { createFakeClock } from 'syncline/testing';

// Issue 20: handler.metrics() beside stats(), and its Prometheus text. Called with Request objects.
let handler: SyncHandler | undefined;
afterEach(async () => {
  await handler?.close();
  handler = undefined;
});

const BASE = 'https://app.example';
const write = (seq: number) => ({ seq, id: `w${seq}`, threadId: 't1', name: 'addMessage', args: { message: { id: `m${seq}`, role: 'user', content: 'x', createdAt: 1 } }, createdAt: 1 });
const push = (seqs: number[]): PushRequest => ({ clientId: 'c1', epoch: 1, mutations: seqs.map(write) });
const post = (path: string, body: unknown) => handler!(new Request(`${BASE}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));

describe('handler.metrics()', () => {
  it('counts writes (a duplicate is not one), pushes and pulls; writes per second over the last minute', async () => {
    const clock = createFakeClock();
    handler = createSyncHandler({ clock, onError: () => undefined });
    await post('/push', push([1, 2, 3]));
    await post('/push', push([3])); // a retry: duplicate
    await post('/pull', { clientId: 'c2', threads: { t1: 0 } });
    const m = handler.metrics();
    expect(m).toMatchObject({ writesTotal: 3, pushesTotal: 2, pullsTotal: 1, writesPerSecond: 3 / 60, openStreams: 0, resets: 0, busUp: true });
    expect(m.storeLatencyMs.count).toBe(3);
    // The in-process bus hands back this instance's events: fan-out is measured.
    expect(m.fanOutLatencyMs.count).toBe(3);
    await clock.advanceAsync(61_000);
    expect(handler.metrics()).toMatchObject({ writesTotal: 3, writesPerSecond: 0 });
  });

  it('formats as Prometheus text: one sample per line, latencies as summaries in seconds', async () => {
    const clock = createFakeClock();
    handler = createSyncHandler({ clock, onError: () => undefined });
    await post('/push', push([1]));
    const text = toPrometheusText(handler.metrics());
    expect(text).toContain('# TYPE syncline_writes_total counter\nsyncline_writes_total 1\n');
    expect(text).toContain('syncline_bus_up 1\n');
    expect(text).toMatch(/syncline_store_latency_seconds\{quantile="0.99"\} [0-9.e-]+\n/);
    expect(text).toContain('syncline_store_latency_seconds_count 1\n');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{quantile="[0-9.]+"\})? (NaN|[0-9.e+-]+))$/);
  });
});
