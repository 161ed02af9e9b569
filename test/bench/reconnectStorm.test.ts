import { describe, expect, it } from 'vitest';
import { simulateReconnectStorm } from '../../bench/reconnectStorm.js';

// Real clients on a fake clock (bench/reconnectStorm.ts): what the server sees when it comes back.
describe('simulateReconnectStorm', () => {
  it('brings every client back, and no second carries more than half of them (200 clients, 30 s outage)', async () => {
    const r = await simulateReconnectStorm({ clients: 200, outageMs: 30_000, seed: 1 });
    expect(r.perSecond.reduce((a, b) => a + b, 0)).toBe(200);
    expect(r.busiest).toBeLessThanOrEqual(100);
    expect(r.busiestShare).toBeLessThanOrEqual(0.5);
    // The probe (≤ 2 s) and the spread (writes ≤ 1 s, streams ≤ 2.25 s) bound the return,
    // counted here in steps of 100 ms.
    expect(r.lastAckMs).toBeLessThanOrEqual(2000 + 1000 + 100);
    expect(r.lastReconnectMs).toBeLessThanOrEqual(2000 + 2250 + 100);
    expect(r.probesPerClientMinute).toBeGreaterThanOrEqual(30);
    expect(r.probesPerClientMinute).toBeLessThanOrEqual(60);
  }, 60_000);

  it('is deterministic for a seed', async () => {
    const a = await simulateReconnectStorm({ clients: 40, outageMs: 10_000, seed: 9 });
    const b = await simulateReconnectStorm({ clients: 40, outageMs: 10_000, seed: 9 });
    expect(a).toEqual(b);
  }, 60_000);
});
