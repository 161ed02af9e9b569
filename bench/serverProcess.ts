/** The dev server in a child process, as in real use: the client does not share its event loop. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.send && process.argv[2] === '--child') {
  const { createDevServer } = await import('../src/server/dev/devServer.js');
  const server = await createDevServer({ port: 0 });
  process.send({ url: server.url });
  process.on('message', async (m: { stats?: boolean }) => {
    if (m.stats) process.send!({ stats: server.stats() });
  });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
}

export interface ServerProcess {
  url: string;
  close(): void;
}

export function startServerProcess(): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m: { url: string }) =>
      resolve({ url: m.url, close: () => child.disconnect() }),
    );
  });
}
