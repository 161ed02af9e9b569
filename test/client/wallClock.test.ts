import { rig } from '../helpers.js';

const HOUR = 3_600_000;

describe('intervals run on the monotonic clock (fake clock)', () => {
  it('a wall clock set back an hour does not stop polling', async () => {
    const r = await rig({ poll: { activeMs: 5000, idleMs: 60_000 } }, { faults: { stream: { refuse: true } } });
    r.client.watch('t1');
    const pullsInAMinute = async (active: boolean) => {
      const before = r.fake.stats().requests.pull;
      for (let t = 0; t < 60_000; t += 1000) {
        if (active) r.client.recordActivity();
        await r.clock.advanceAsync(1000);
      }
      return r.fake.stats().requests.pull - before;
    };
    await pullsInAMinute(false); // nobody at the page: one pull a minute
    r.clock.setWallTime(r.clock.now() - HOUR);
    // Someone comes back: polling speeds up to activeMs, whatever the wall clock says.
    expect(await pullsInAMinute(true)).toBeGreaterThanOrEqual(11);
    r.clock.setWallTime(r.clock.now() + 2 * HOUR); // and forward again: no burst either
    const forward = await pullsInAMinute(true);
    expect(forward).toBeGreaterThanOrEqual(11);
    expect(forward).toBeLessThanOrEqual(13);
  });

  it('the fake clock moves the wall clock alone: timers and monotonic() keep their course', async () => {
    const { createFakeClock } = await import('syncline/testing');
    const clock = createFakeClock({ now: 1000 });
    const ran: number[] = [];
    clock.setTimeout(() => ran.push(clock.monotonic()), 500);
    clock.setWallTime(0);
    expect(clock.now()).toBe(0);
    expect(clock.monotonic()).toBe(1000);
    clock.advance(500);
    expect(ran).toEqual([1500]);
    expect(clock.now()).toBe(500);
  });
});
