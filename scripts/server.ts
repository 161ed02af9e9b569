// `npm run server`: the dev server for the demo page, with streamed assistant replies.
import { createDevServer } from '../src/server/index.js';

const port = Number(process.env.SERVER_PORT ?? 8787);
const server = await createDevServer({ port, host: process.env.SERVER_HOST ?? '127.0.0.1', assistant: { autoReply: true } });

console.log(`syncline dev server (protocol v1) at ${server.url}
  POST /push   POST /pull   GET /ping   GET /events (SSE)
admin (never faulted):
  GET  ${server.url}/admin/faults      POST ${server.url}/admin/faults   (JSON Faults; replaces)
  GET  ${server.url}/admin/threads     GET  ${server.url}/admin/threads/:id
  GET  ${server.url}/admin/stats       POST ${server.url}/admin/reply    { threadId, tokens?, intervalMs?, text? }
e.g. curl -X POST ${server.url}/admin/faults -d '{"errorRate":0.3,"latencyMs":400}'`);

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
