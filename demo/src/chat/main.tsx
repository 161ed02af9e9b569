import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createHttpConnector, createSyncClient } from 'syncline';
import { aiMutators, createChatTransport } from 'syncline/ai';
import { SyncProvider } from 'syncline/react';
import 'syncline/styles.css';
import '../demo.css';
import { readConfig } from '../config';
import { ChatApp } from './ChatApp';

// The useChat page (docs/ai.md): an AI SDK chat over syncline, against demo/chatServer.ts.
const config = readConfig(location.search, { meta: 'syncline-chat-server', fallback: 'http://127.0.0.1:8788' });
const chatId = new URLSearchParams(location.search).get('chat') || 'demo-chat';

const client = createSyncClient({
  connector: createHttpConnector({ baseUrl: config.serverUrl, ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }) }),
  mutators: aiMutators,
  namespace: `${config.namespace}-chat`,
  retry: config.retry,
  liveness: config.liveness,
  poll: config.poll,
  tabs: config.tabs,
});
const transport = createChatTransport({ client });
if (config.test) Object.assign(window, { __synclineClient: client });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SyncProvider client={client}>
      <ChatApp client={client} transport={transport} chatId={chatId} />
    </SyncProvider>
  </StrictMode>,
);
