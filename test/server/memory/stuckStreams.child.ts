import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSyncHandler, toNodeHandler } from '../../../src/server/index.js';

/*
 * Run by stuckStreams.test.ts in its own process (node --expose-gc): 20 event streams that never
 * read, on an 8 MB thread, then 3 writes. Prints the growth of the heap and of array buffers.
 */

const THREAD_BYTES = 8 * 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc!;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    gc();
  }
};
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const handler = createSyncHandler({ onError: () => undefined, keepaliveMs: 0 });
const server = createServer(toNodeHandler(handler));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address() as AddressInfo;
const message = (id: string, content: string) => ({ message: { id, role: 'user', content, createdAt: 1 } });
await handler.serverWrite('big', 'addMessage', message('m0', 'x'.repeat(THREAD_BYTES)));
await settle();
const before = used();

const sockets: Socket[] = [];
for (let i = 0; i < 20; i++) {
  const socket = connect(port, '127.0.0.1');
  socket.pause(); // never reads: the kernel buffers fill, then the server's
  socket.write(`GET /events?cursor=0 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
  sockets.push(socket);
}
await new Promise((r) => setTimeout(r, 1500));
for (let i = 1; i <= 3; i++) await handler.serverWrite('big', 'addMessage', message(`m${i}`, 'small'));
await new Promise((r) => setTimeout(r, 1500));
await settle();
const after = used();
const stats = handler.stats();
process.stdout.write(JSON.stringify({ growth: after - before, threadBytes: THREAD_BYTES, openStreams: stats.openStreams, resets: stats.resets }));
for (const socket of sockets) socket.destroy();
await handler.close();
server.closeAllConnections();
server.close();
