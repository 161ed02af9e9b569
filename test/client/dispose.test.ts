import { SyncError } from 'syncline';
import { rig, userMessage } from '../helpers.js';

describe('after dispose()', () => {
  it('mutate throws a clear SyncError, flushPending rejects at once, and nothing is left running', async () => {
    const { client, clock, fake, env } = await rig({}, { faults: { latencyMs: 60_000 } });
    client.watch('t1');
    client.mutate('t1', 'addMessage', userMessage('m1'));
    const waiting = client.flushPending();
    await clock.advanceAsync(200);
    client.dispose();
    // A flush that was waiting settles too: nothing was acknowledged (the write stays stored).
    await expect(waiting).resolves.toBe(0);

    expect(() => client.mutate('t1', 'addMessage', userMessage('m2'))).toThrow(/disposed; create a new one/);
    expect(() => client.mutate('t1', 'addMessage', userMessage('m2'))).toThrow(SyncError);
    await expect(client.flushPending()).rejects.toMatchObject({ kind: 'rejected', code: 'disposed' });
    await expect(client.syncImmediately('t1')).rejects.toMatchObject({ code: 'disposed' });
    // Everything else is a no-op that does not throw.
    client.start();
    client.reconnect();
    client.queueForSync('t1');
    client.recordActivity();
    client.retry('nope');
    client.discard('nope');
    client.watch('t2')();
    client.stop();
    client.dispose();
    expect(client.getPendingItems('t1')).toHaveLength(1);
    expect(client.getHealthStatus().state).toBe('stopped');

    fake.close();
    const before = fake.stats().requests;
    env.emit('online');
    env.emit('focus');
    await clock.advanceAsync(120_000);
    expect(fake.stats().requests).toEqual(before);
    expect(clock.pendingTimers()).toBe(0);
  });
});
