import { rig, userMessage, type Rig } from '../helpers.js';

// Issue 9 item 3: every wait a server suggests is capped by retry.maxMs and kept in the timer's
// range, and health shows when the outbox tries again. Fake clock, the reference backend.
const MIN = 60_000;
const retry = { baseMs: 500, maxMs: 30_000 };

async function pushesOver(ms: number, r: Rig) {
  const before = r.fake.stats().requests.push;
  for (let t = 0; t < ms; t += 1000) await r.clock.advanceAsync(1000);
  return r.fake.stats().requests.push - before;
}

describe('Retry-After on pushes', () => {
  it('86400 s: the next attempt comes within maxMs, and health is degraded with nextRetryAt set', async () => {
    const r = await rig({ retry }, { faults: { rateLimitRate: 1, retryAfterSeconds: 86_400 } });
    r.client.watch('t1');
    const write = r.client.mutate('t1', 'addMessage', userMessage('m1'));
    await r.until(() => r.client.getPendingItems('t1')[0]?.lastError?.status === 429);
    const failedAt = r.clock.now();
    const health = r.client.getHealthStatus();
    expect(health).toMatchObject({ degraded: true, degradedReason: 'server-errors' });
    expect(health.nextRetryAt).not.toBeNull();
    expect(health.nextRetryAt! - failedAt).toBeLessThanOrEqual(retry.maxMs);
    expect(health.nextRetryAt! - failedAt).toBeGreaterThan(retry.maxMs - 1000);

    r.fake.setFaults({});
    await r.until(() => r.client.getPendingItems('t1').length === 0, retry.maxMs + 1000);
    await expect(write.settled).resolves.toBeUndefined();
    expect(r.client.getHealthStatus()).toMatchObject({ degraded: false, nextRetryAt: null });
    expect(r.fake.backend.thread('t1')?.messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('2^32 s (past what a timer holds): no push storm, one attempt per maxMs or so', async () => {
    const r = await rig({ retry }, { faults: { rateLimitRate: 1, retryAfterSeconds: 2 ** 32 } });
    r.client.mutate('t1', 'addMessage', userMessage('m1'));
    await r.clock.advanceAsync(1000);
    // Capped at 30 s (jittered under it): two or three attempts a minute, not thousands.
    expect(await pushesOver(MIN, r)).toBeLessThanOrEqual(3);
    expect(r.client.getHealthStatus().nextRetryAt).not.toBeNull();
  });

  it('a short Retry-After is still honoured over a shorter backoff', async () => {
    const r = await rig({ retry: { baseMs: 10, maxMs: 30_000 } }, { faults: { rateLimitRate: 1, retryAfterSeconds: 5 } });
    r.client.mutate('t1', 'addMessage', userMessage('m1'));
    await r.clock.advanceAsync(1000);
    // Every 5 s (plus under 10 ms of jitter), not every few ms as baseMs alone would allow.
    const pushes = await pushesOver(MIN, r);
    expect(pushes).toBeGreaterThanOrEqual(11);
    expect(pushes).toBeLessThanOrEqual(13);
  });
});
