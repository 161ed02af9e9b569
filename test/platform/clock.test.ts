import { createFakeClock } from 'syncline/testing';
import { createTimer } from '../../src/platform/clock.js';

describe('createTimer', () => {
  it('holds one callback: setting again replaces it, clear cancels it, pending says whether one waits', () => {
    const clock = createFakeClock();
    const timer = createTimer(clock);
    const ran: string[] = [];
    expect(timer.pending()).toBe(false);
    timer.set(() => ran.push('first'), 100);
    timer.set(() => ran.push('second'), 200);
    expect(timer.pending()).toBe(true);
    clock.advance(150);
    expect(ran).toEqual([]);
    clock.advance(50);
    expect(ran).toEqual(['second']);
    expect(timer.pending()).toBe(false);
    timer.set(() => ran.push('cleared'), 10);
    timer.clear();
    clock.advance(100);
    expect(ran).toEqual(['second']);
    expect(timer.pending()).toBe(false);
  });

  it('is no longer pending while its callback runs, so the callback can set it again', () => {
    const clock = createFakeClock();
    const timer = createTimer(clock);
    let runs = 0;
    const tick = () => {
      runs += 1;
      if (runs < 3) timer.set(tick, 10);
    };
    timer.set(tick, 10);
    clock.advance(100);
    expect(runs).toBe(3);
  });
});

describe('createFakeClock', () => {
  it('fires a delay past 2^31 − 1 ms at once, as real timers overflow', async () => {
    const clock = createFakeClock({ now: 0 });
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 2 ** 31 - 1);
    clock.setTimeout(() => fired.push(clock.now()), 2 ** 31);
    await clock.advanceAsync(10);
    expect(fired).toEqual([1]);
  });
});
