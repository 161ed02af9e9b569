import { describe, expect, it } from 'vitest';
import { simulateReconnectStorm } from '../../bench/reconnectStorm.js';

// The herd budget holds for the outage servers really have: a proxy answering 502/503 on every
// route (bench/refusals.ts), real clients on a fake clock.
describe('simulateReconnectStorm, 5xx outages', () => {
  it.each([
    ['503 without Retry-After', { status: 503 }],
    ['502 with Retry-After: 1', { status: 502, retryAfterSeconds: 1 }],
  ])('%s: every client back, no second carries more than half of them (200 clients, 30 s)', async (_name, refusal) => {
    const r = await simulateReconnectStorm({ clients: 200, outageMs: 30_000, seed: 1, refusal });
    expect(r.perSecond.reduce((a, b) => a + b, 0)).toBe(200);
    expect(r.busiestShare).toBeLessThanOrEqual(0.5);
    // The probe (≤ 2 s), a Retry-After of 1 s still running, and the spread, in steps of 100 ms.
    expect(r.lastAckMs).toBeLessThanOrEqual(2000 + 1000 + 1000 + 100);
    expect(r.lastReconnectMs).toBeLessThanOrEqual(2000 + 1000 + 2250 + 100);
    expect(r.probesPerClientMinute).toBeGreaterThanOrEqual(30);
    expect(r.probesPerClientMinute).toBeLessThanOrEqual(60);
  }, 60_000);
});
