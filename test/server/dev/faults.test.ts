import { describe, expect, it } from 'vitest';
import { normalizeFaults } from 'syncline/testing';
import { createFaultController } from '../../../src/server/dev/faults.js';

describe('faults', () => {
  it('accepts valid faults and names the first invalid field', () => {
    expect(normalizeFaults({ errorRate: 0.2, stream: { dropAfter: 3 } })).toEqual({ errorRate: 0.2, stream: { dropAfter: 3 } });
    expect(() => normalizeFaults({ errorRate: 1.5 })).toThrow(/errorRate/);
    expect(() => normalizeFaults({ offline: 'yes' })).toThrow(/offline/);
    expect(() => normalizeFaults({ errorStatus: 99 })).toThrow(/errorStatus/);
    expect(() => normalizeFaults({ stream: { reorderRate: -1 } })).toThrow(/stream\.reorderRate/);
    expect(() => normalizeFaults([])).toThrow(TypeError);
  });

  it('plans by route: ping and the stream only see offline and latency', () => {
    const faults = createFaultController({ errorRate: 1, latencyMs: 30 }, () => 0.5);
    expect(faults.plan('push')).toEqual({ kind: 'status', delayMs: 30, status: 503 });
    expect(faults.plan('ping')).toEqual({ kind: 'ok', delayMs: 30, duplicate: false, lostAnswer: false });
    expect(faults.plan('events')).toMatchObject({ kind: 'ok' });
    faults.set({ blockPushes: true });
    expect(faults.plan('push')).toMatchObject({ kind: 'status', status: 503 });
    expect(faults.plan('pull')).toMatchObject({ kind: 'ok' });
    faults.set({ offline: true, errorRate: 1 });
    expect(faults.plan('ping')).toEqual({ kind: 'refuse' });
  });

  it('a seed makes the draws repeat; jitter stays within bounds', () => {
    const draws = () => {
      const faults = createFaultController({ errorRate: 0.5, jitterMs: 100, seed: 3 }, () => 0);
      return Array.from({ length: 30 }, () => faults.plan('pull'));
    };
    const first = draws();
    expect(draws()).toEqual(first);
    expect(first.every((p) => p.kind !== 'refuse' && p.delayMs >= 0 && p.delayMs < 100)).toBe(true);
    expect(new Set(first.map((p) => p.kind))).toEqual(new Set(['ok', 'status']));
  });
});
