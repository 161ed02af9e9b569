/**
 * The production server under load (`npm run bench`): instances as child processes
 * (test/server/cluster.ts) on one PostgreSQL database and one Redis, started when missing.
 * - writes/s: concurrent writers pushing batches through one instance, then spread over three;
 * - fan-out: a write pushed to instance A until its event reaches a stream open on instance C
 *   (writes one at a time, apart: under a burst a stream adds its coalescing window of 50 ms).
 */
import { createHttpConnector } from '../src/index.js';
import type { PushRequest, ServerEvent } from '../src/index.js';
import { createTestDatabase, ensureRedis } from '../scripts/services.js';
import { startInstance } from '../test/server/cluster.js';
import type { Instance } from '../test/server/cluster.js';

const WRITERS = 24;
const BATCH = 10;

async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Mutations applied per second by `WRITERS` concurrent writers, each pushing `BATCH` at a time, for `ms`. */
async function writesPerSecond(instances: Instance[], label: string, ms: number): Promise<number> {
  let applied = 0;
  const until = Date.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const clientId = `bench-${label}-${w}`;
      const url = `${instances[w % instances.length]!.url}/push`;
      let seq = 0;
      while (Date.now() < until) {
        const request: PushRequest = {
          clientId,
          epoch: 1,
          mutations: Array.from({ length: BATCH }, () => {
            seq++;
            return {
              seq,
              id: `${clientId}-${seq}`,
              // Each writer on two threads of its own, as users in their own chats.
              threadId: `${clientId}-${seq % 2}`,
              name: 'addMessage',
              args: { message: { id: `${clientId}-${seq}`, role: 'user', content: `message ${seq}`, createdAt: seq } },
              createdAt: seq,
            };
          }),
        };
        const response = (await postJson(url, request)) as { results: { status: string }[] };
        applied += response.results.filter((r) => r.status === 'applied').length;
      }
    }),
  );
  return Math.round(applied / ((performance.now() - start) / 1000));
}

/** Latency from pushing on `from` to the event at a stream on `to`, over `n` writes one at a time. */
async function fanOutLatency(from: Instance, to: Instance, n: number): Promise<ServerBench['fanOut']> {
  const waiting = new Map<string, (at: number) => void>();
  const controller = new AbortController();
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const stream = createHttpConnector({ baseUrl: to.url }).openStream!({
    cursor: null,
    signal: controller.signal,
    onOpen: () => opened(),
    onFrame: () => undefined,
    onEvent: (event: ServerEvent) => {
      // Protocol v2: the thread's first version whole, then patches inserting each new message.
      const added =
        event.type === 'thread'
          ? event.thread.messages.map((m) => m.id)
          : event.type === 'patch'
            ? event.patch.ops.flatMap((op) => (op.op === 'insert' ? [op.message.id] : []))
            : [];
      for (const id of added) {
        const done = waiting.get(id);
        if (!done) continue;
        waiting.delete(id);
        done(performance.now());
      }
    },
  });
  stream.catch(() => undefined);
  await open;
  const samples: number[] = [];
  const pushes: number[] = [];
  const afterAck: number[] = [];
  for (let i = 1; i <= n; i++) {
    const id = `fan-${i}`;
    const arrived = new Promise<number>((resolve) => waiting.set(id, resolve));
    const sent = performance.now();
    await postJson(`${from.url}/push`, {
      clientId: 'bench-fan-out',
      epoch: 1,
      mutations: [{ seq: i, id, threadId: 'bench-fan-out', name: 'addMessage', args: { message: { id, role: 'user', content: 'x', createdAt: i } }, createdAt: i }],
    });
    const acked = performance.now();
    pushes.push(acked - sent);
    const at = await arrived;
    samples.push(at - sent);
    // The bus and the stream alone: the event may even beat the push's answer (then 0).
    afterAck.push(Math.max(0, at - acked));
    // A quiet spell longer than a stream's 50 ms coalescing window (src/server/eventStream.ts):
    // this measures the path, not the window a burst waits in.
    await new Promise((r) => setTimeout(r, 60));
  }
  controller.abort();
  const at = (list: number[], q: number) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))]!;
  return { p50: at(samples, 0.5), p99: at(samples, 0.99), pushP50: at(pushes, 0.5), afterAckP50: at(afterAck, 0.5), afterAckP99: at(afterAck, 0.99) };
}

export interface ServerBench {
  oneInstance: number;
  threeInstances: number;
  /**
   * Milliseconds from sending the push on A to the event at C; `pushP50` is the push's own round
   * trip (its commit) within that; `afterAck*` from the push's answer to the event.
   */
  fanOut: { p50: number; p99: number; pushP50: number; afterAckP50: number; afterAckP99: number };
}

export async function serverBench(): Promise<ServerBench> {
  const database = await createTestDatabase('bench');
  const config = { pgUrl: database.connectionString, redisUrl: await ensureRedis(), channel: `syncline:bench:${process.pid}` };
  const instances: Instance[] = [];
  try {
    instances.push(...(await Promise.all([0, 1, 2].map(() => startInstance(config)))));
    await writesPerSecond(instances.slice(0, 1), 'warm', 1000);
    const oneInstance = await writesPerSecond(instances.slice(0, 1), 'one', 4000);
    const threeInstances = await writesPerSecond(instances, 'three', 4000);
    const fanOut = await fanOutLatency(instances[0]!, instances[2]!, 300);
    return { oneInstance, threeInstances, fanOut };
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await database.drop();
  }
}
