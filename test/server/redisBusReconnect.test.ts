import { createRedisBus, type RedisClientLike } from '../../src/server/redisBus.js';
import type { StoredEvent } from '../../src/server/types.js';

// The publisher and the subscriber of the Redis bus reconnect each on its own backoff: after a
// Redis restart the subscriber is often back first. A client standing in for node-redis whose
// connection we drop and restore by hand shows what a publish made in between meets.
type Listener = () => void;

function fakeRedis() {
  const make = () => {
    const on = new Map<string, Listener[]>();
    const client = {
      isReady: false,
      published: [] as string[],
      connect: async () => client.up(),
      publish: async (_channel: string, message: string) => {
        if (!client.isReady) throw new Error('The client is closed');
        client.published.push(message);
        return 1;
      },
      subscribe: async () => undefined,
      duplicate: () => sub,
      on: (event: string, listener: Listener) => void on.set(event, [...(on.get(event) ?? []), listener]),
      destroy: () => undefined,
      emit: (event: string) => (on.get(event) ?? []).forEach((l) => l()),
      up() {
        client.isReady = true;
        client.emit('ready');
      },
      down() {
        client.isReady = false;
        client.emit('reconnecting');
      },
    };
    return client;
  };
  const sub = make();
  const pub = make();
  pub.isReady = true;
  return { pub, sub };
}

const event = (n: number): StoredEvent => ({ cursor: String(n), threadId: 't', v: n, type: 'thread' }) as StoredEvent;

describe('createRedisBus, the publisher reconnecting after the subscriber', () => {
  it('a publish made meanwhile is sent once the publisher is back, not after the backlog delay', async () => {
    const { pub, sub } = fakeRedis();
    // Defaults: the backlog waits 2 × 2 s before it is sent; a publish waits 1 s for Redis.
    const bus = createRedisBus({ client: pub as unknown as RedisClientLike });
    const status: boolean[] = [];
    bus.subscribe(() => {}, (up) => status.push(up));
    await vi.waitFor(() => expect(status.at(-1)).toBe(true));

    pub.down();
    sub.down();
    sub.up();
    const sent = bus.publish([event(1)]);
    setTimeout(() => pub.up(), 50);
    await expect(sent).resolves.toBeUndefined();
    expect(pub.published).toHaveLength(1);
    await bus.close();
  });
});
