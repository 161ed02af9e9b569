import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpConnector, createMemoryStorage, createSyncClient, type SyncClient, type Thread } from 'syncline';
import { createV2Server, type V2Server } from '../client/v2Server.js';
import { within } from './within';

// Protocol v2 over real HTTP and SSE on loopback: a small server that speaks v2 to whoever asks
// for it (`?protocol=2`, `protocol: 2`) and v1 to everyone else, in front of the v2 test model.
let http: Server;
let model: V2Server;
const streams = new Set<ServerResponse>();
const seen: { url: string; body?: unknown }[] = [];
let client: SyncClient;

beforeEach(async () => {
  model = createV2Server({ id: 't1', v: 0, messages: [], createdAt: 1 });
  http = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = text ? (JSON.parse(text) as { threads: Record<string, number>; protocol?: 2 }) : undefined;
      seen.push({ url: req.url!, body });
      if (req.url!.startsWith('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': ka\n\n');
        streams.add(res);
        res.on('close', () => streams.delete(res));
      } else if (req.url === '/pull') {
        void model.connector.pull({ clientId: 'c', ...body! }).then((answer) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer));
        });
      } else {
        res.writeHead(204);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  client = createSyncClient({
    connector: createHttpConnector({ baseUrl, timeoutMs: 5000 }),
    storage: createMemoryStorage(),
    poll: { activeMs: 60_000, idleMs: 60_000 },
  });
  client.start();
  await client.ready;
});
afterEach(async () => {
  client.dispose();
  for (const res of streams) res.destroy();
  seen.length = 0;
  await new Promise((resolve) => http.close(resolve));
});

let cursor = 0;
const send = (type: string, data: unknown) => {
  for (const res of streams) res.write(`event: ${type}\nid: ${++cursor}\ndata: ${JSON.stringify(data)}\n\n`);
};
const message = (id: string) => ({ message: { id, role: 'assistant' as const, content: '', createdAt: 1 } });

describe('protocol v2 over loopback HTTP', () => {
  it('asks for v2 on the stream and in pulls, applies patch events, and a gap pulls the ops since the version held', async () => {
    client.watch('t1');
    await within(5000, () => client.getHealthStatus().state === 'live');
    expect(seen.find((r) => r.url.startsWith('/events'))!.url).toBe('/events?protocol=2');
    model.write('addMessage', message('m1'));
    send('thread', model.thread());
    await within(5000, () => client.getThread('t1')?.v === 1);

    send('patch', model.write('appendDelta', { messageId: 'm1', text: 'Hel' }));
    model.write('appendDelta', { messageId: 'm1', text: 'lo' }); // lost on the way
    send('patch', model.write('appendDelta', { messageId: 'm1', text: '!' }));
    await within(5000, () => client.getThread('t1')?.v === 4);
    expect(client.getThread('t1')).toEqual(model.thread() as Thread);
    const gapPull = seen.filter((r) => r.url === '/pull').at(-1)!;
    expect(gapPull.body).toMatchObject({ protocol: 2, threads: { t1: 2 } });
  });
});
