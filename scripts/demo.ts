// `npm run demo`: the dev server (with streamed assistant replies) and the demo app, served by Vite.
import { startChatDemoServer } from '../demo/chatServer.js';
import { startDemoServer } from '../demo/serve.js';
import { createDevServer } from '../src/server/index.js';

const server = await createDevServer({
  port: Number(process.env.SERVER_PORT ?? 8787),
  host: process.env.SERVER_HOST ?? '127.0.0.1',
  assistant: { autoReply: true, toolCall: true },
});
// The useChat page's server: the sync handler with a mock model's runs (docs/ai.md).
const chat = await startChatDemoServer({ port: Number(process.env.CHAT_PORT ?? 8788), host: process.env.SERVER_HOST ?? '127.0.0.1' });
const demo = await startDemoServer({
  port: Number(process.env.DEMO_PORT ?? 5173),
  serverUrl: server.url,
  chatUrl: chat.url,
}).catch(async (error: unknown) => {
  await Promise.allSettled([server.close(), chat.close()]);
  throw error;
});

console.log(`
syncline demo
  app:        ${demo.url}
  dev server: ${server.url}   (faults: POST ${server.url}/admin/faults, see docs/demo.md)
  useChat:    ${demo.url}chat.html   (its server ${chat.url}; an outage: POST ${chat.url}/admin/outage {"ms":6000})
Ctrl+C stops both.`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void Promise.allSettled([demo.close(), server.close(), chat.close()]).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
