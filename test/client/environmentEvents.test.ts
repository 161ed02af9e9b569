import { describe, expect, it } from 'vitest';
import { rig } from '../helpers';

// Environment events enter the client in one place (src/client/createSyncClient.ts) and are handed
// on to the stream and the poller: these are the effects a user relies on.
describe('environment events reach every part through the client', () => {
  it('focus pulls at once, while push is live and long before the next scheduled pull', async () => {
    const r = await rig({ poll: { activeMs: 5000, idleMs: 60_000 } });
    r.client.watch('t1');
    await r.until(() => r.client.getHealthStatus().state === 'live');
    await r.clock.advanceAsync(1000);
    const before = r.pulls.length;
    r.env.emit('focus');
    await r.clock.advanceAsync(10);
    expect(r.pulls.length).toBe(before + 1);
    r.dispose();
  });

  it('back online, the stream reopens and the outbox sends without waiting out their backoffs', async () => {
    const r = await rig({ retry: { baseMs: 20_000, maxMs: 30_000 } });
    r.client.watch('t1');
    await r.until(() => r.client.getHealthStatus().state === 'live');
    r.fake.setFaults({ offline: true });
    r.env.setOnline(false);
    r.client.mutate('t1', 'setTitle', { title: 'on the train' });
    await r.clock.advanceAsync(3000);
    expect(r.client.getHealthStatus().state).toBe('offline');
    r.fake.setFaults({});
    r.env.setOnline(true);
    // Well inside the 20 s base backoff: only the online event can explain a fresh stream and push.
    await r.clock.advanceAsync(1500);
    expect(r.fake.thread('t1')?.title).toBe('on the train');
    expect(r.fake.stats().openStreams).toBe(1);
    expect(r.client.getHealthStatus().state).toBe('live');
    r.dispose();
  });

  it('a stopped client hands nothing on: no pull on focus after stop()', async () => {
    const r = await rig();
    r.client.watch('t1');
    await r.clock.advanceAsync(1000);
    r.client.stop();
    const before = r.pulls.length;
    r.env.emit('focus');
    r.env.setOnline(false);
    r.env.setOnline(true);
    await r.clock.advanceAsync(120_000);
    expect(r.pulls.length).toBe(before);
    expect(r.fake.stats().openStreams).toBe(0);
    r.dispose();
  });
});
