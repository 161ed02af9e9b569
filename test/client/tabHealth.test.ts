import { createMemoryStorage, createSyncClient, type HealthStatus } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment, createFakeTabs } from 'syncline/testing';

// A follower shows the leader's health and hears its transitions as a lone client would
// (docs/tabs.md): onDegraded once going in, onRecovered once coming out, with the leader's status.

describe("a follower's health is its leader's", () => {
  it('onDegraded and onRecovered fire once per transition in the follower, with the reason the leader reports', async () => {
    const clock = createFakeClock();
    const fake = createFakeBackend({ clock });
    const storage = createMemoryStorage();
    const tabs = createFakeTabs();
    const open = () => {
      const heard: Array<[string, HealthStatus['degradedReason']]> = [];
      const client = createSyncClient({
        connector: fake.connector,
        clock,
        storage,
        environment: createFakeEnvironment(clock, { tab: tabs.page() }),
        retry: { baseMs: 50, maxMs: 500 },
        onDegraded: (h) => void heard.push(['degraded', h.degradedReason]),
        onRecovered: (h) => void heard.push(['recovered', h.degradedReason]),
      });
      client.start();
      return { client, heard };
    };
    const leader = open();
    await clock.advanceAsync(200);
    const follower = open();
    await clock.advanceAsync(200);
    expect(follower.client.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });

    fake.setFaults({ stream: { refuse: true } });
    leader.client.reconnect();
    await clock.advanceAsync(1000);
    expect(leader.client.getHealthStatus().degradedReason).toBe('stream-unavailable');
    expect(follower.client.getHealthStatus()).toMatchObject({ degraded: true, degradedReason: 'stream-unavailable' });

    fake.setFaults({});
    await clock.advanceAsync(5000);
    expect(follower.client.getHealthStatus()).toMatchObject({ state: 'live', degraded: false });
    expect(follower.heard).toEqual([
      ['degraded', 'stream-unavailable'],
      ['recovered', null],
    ]);
    expect(follower.heard).toEqual(leader.heard);
    leader.client.dispose();
    follower.client.dispose();
  });
});
