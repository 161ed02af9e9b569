/**
 * One production-shaped server instance, run as a child process by test/server/cluster.ts:
 * createSyncHandler + toNodeHandler on node:http, createPostgresStore, createRedisBus.
 * Configured by environment: PG_URL, REDIS_URL, REDIS_CHANNEL, PORT.
 */
import { createServer } from 'node:http';
import { createPostgresStore, createRedisBus, createSyncHandler, toNodeHandler } from '../../src/server/index.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`clusterInstance needs ${name}`);
  return value;
};

const store = createPostgresStore({ connectionString: env('PG_URL'), max: 8 });
await store.migrate();
const bus = createRedisBus({ url: env('REDIS_URL'), channel: env('REDIS_CHANNEL'), maxReconnectDelayMs: 300 });
const handler = createSyncHandler({ store, bus, keepaliveMs: 1000, retryMs: 200, onError: () => {} });
const server = createServer(toNodeHandler(handler));
server.keepAliveTimeout = 2000;
await new Promise<void>((resolve) => server.listen(Number(env('PORT')), '127.0.0.1', resolve));
process.send?.({ ready: true });

process.on('message', (m: { stats?: boolean }) => {
  if (m.stats) process.send?.({ stats: handler.stats() });
});
process.on('SIGTERM', () => {
  void handler.close().then(async () => {
    server.closeAllConnections();
    server.close();
    await Promise.all([bus.close(), store.close()]);
    process.exit(0);
  });
});
