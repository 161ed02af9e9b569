import { describe, expect, it } from 'vitest';
import { simulateReconnectStorm } from '../../bench/reconnectStorm.js';

describe('simulateReconnectStorm', () => {
  // "mean" = reconnects / seconds from recovery to the last reconnect (see ReconnectStormResult)
  it.each([1, 2, 3])('full jitter keeps the busiest second after recovery within 3x the mean (seed %i)', (seed) => {
    const r = simulateReconnectStorm({ clients: 1000, outageMs: 30_000, strategy: 'full-jitter', seed });
    expect(r.perSecond.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(r.mean).toBeCloseTo(1000 / r.perSecond.length);
    expect(r.busiest).toBeLessThanOrEqual(3 * r.mean);
    expect(r.ratio).toBeLessThanOrEqual(3);
    // retry.maxMs caps the wait: everyone is back within one capped delay of recovery
    expect(r.lastReconnectMs).toBeLessThan(30_000);
  });

  it('the fixed delays of the source material are measurably worse', () => {
    const jitter = simulateReconnectStorm({ clients: 1000, outageMs: 30_000, strategy: 'full-jitter', seed: 1 });
    const fixed = simulateReconnectStorm({ clients: 1000, outageMs: 30_000, strategy: 'fixed', seed: 1 });
    expect(fixed.perSecond.reduce((a, b) => a + b, 0)).toBe(1000);
    // lock-step: every client comes back in the same second (1 + 2 + 5 + 10 + 30 s = 48 s)
    expect(fixed.busiest).toBe(1000);
    expect(fixed.busiest).toBeGreaterThan(5 * jitter.busiest);
    expect(fixed.ratio).toBeGreaterThan(3 * jitter.ratio);
  });

  it('is deterministic for a seed', () => {
    const a = simulateReconnectStorm({ clients: 200, outageMs: 10_000, strategy: 'full-jitter', seed: 9 });
    const b = simulateReconnectStorm({ clients: 200, outageMs: 10_000, strategy: 'full-jitter', seed: 9 });
    expect(a).toEqual(b);
  });
});
