import { describe, expect, it, vi } from 'vitest';
import { createFrameBatcher } from '../../src/platform/frameBatcher.js';
import { createFakeClock, createFakeEnvironment } from 'syncline/testing';

function setup() {
  const clock = createFakeClock({ now: 0 });
  const environment = createFakeEnvironment(clock);
  const requestFrame = vi.spyOn(environment, 'requestFrame');
  const flushed: number[][] = [];
  const batcher = createFrameBatcher<number>(environment, (items) => flushed.push(items));
  return { clock, environment, requestFrame, flushed, batcher };
}

describe('createFrameBatcher', () => {
  it('flushes the items of one frame together, once', () => {
    const h = setup();
    for (let i = 0; i < 100; i++) h.batcher.add(i);
    expect(h.flushed).toEqual([]);
    expect(h.requestFrame).toHaveBeenCalledTimes(1);
    h.clock.advance(16);
    expect(h.flushed).toEqual([Array.from({ length: 100 }, (_, i) => i)]);
    h.clock.advance(1000);
    expect(h.flushed).toHaveLength(1);
    expect(h.environment.frames()).toBe(1);
  });

  it('flushes at most once per frame while items keep coming', () => {
    const h = setup();
    for (let t = 0; t < 160; t += 2) {
      h.batcher.add(t);
      h.clock.advance(2);
    }
    expect(h.flushed).toHaveLength(10);
    expect(h.requestFrame).toHaveBeenCalledTimes(10);
    expect(h.flushed.flat()).toEqual(Array.from({ length: 80 }, (_, i) => i * 2));
  });

  it('cancel drops what is queued', () => {
    const h = setup();
    h.batcher.add(1);
    h.batcher.cancel();
    h.clock.advance(100);
    expect(h.flushed).toEqual([]);
    expect(h.clock.pendingTimers()).toBe(0);
    h.batcher.add(2);
    h.clock.advance(16);
    expect(h.flushed).toEqual([[2]]);
  });

  it('items added while flushing go to the next frame', () => {
    const clock = createFakeClock({ now: 0 });
    const environment = createFakeEnvironment(clock);
    const flushed: string[][] = [];
    const batcher = createFrameBatcher<string>(environment, (items) => {
      flushed.push(items);
      if (items.includes('a')) batcher.add('b');
    });
    batcher.add('a');
    clock.advance(16);
    expect(flushed).toEqual([['a']]);
    clock.advance(16);
    expect(flushed).toEqual([['a'], ['b']]);
  });
});
