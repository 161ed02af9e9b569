/**
 * Several server instances as child processes (test/server/clusterInstance.ts) on one
 * PostgreSQL database and one Redis, on fixed loopback ports so an instance restarted after a
 * SIGKILL is found at the same URL. Used by the cluster tests and bench/server.ts.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/services.js';

const script = fileURLToPath(new URL('./clusterInstance.ts', import.meta.url));

export interface Instance {
  readonly url: string;
  readonly port: number;
  /** Starts the process (again) and resolves once it listens. */
  start(): Promise<void>;
  /** SIGKILL, as a crash: no graceful close. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the handler's graceful shutdown. */
  stop(): Promise<void>;
  stats(): Promise<{ openStreams: number; bufferedBytes: number; resets: number; busUp: boolean }>;
}

export interface ClusterConfig {
  pgUrl: string;
  redisUrl: string;
  channel: string;
}

export async function startInstance(config: ClusterConfig): Promise<Instance> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const exitOf = (proc: ChildProcess) =>
    new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())));
  const instance: Instance = {
    url: `http://127.0.0.1:${port}`,
    port,
    start() {
      const proc = fork(script, [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, PG_URL: config.pgUrl, REDIS_URL: config.redisUrl, REDIS_CHANNEL: config.channel, PORT: String(port) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child = proc;
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`Instance on port ${port} exited (${code}) before it listened.`));
        proc.once('exit', onExit);
        proc.once('error', reject);
        proc.on('message', (m: { ready?: boolean }) => {
          if (!m.ready) return;
          proc.off('exit', onExit);
          resolve();
        });
      });
    },
    async kill() {
      const proc = child;
      if (!proc) return;
      child = undefined;
      proc.kill('SIGKILL');
      await exitOf(proc);
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      child = undefined;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exitOf(proc);
      clearTimeout(timer);
    },
    stats() {
      const proc = child;
      if (!proc) return Promise.reject(new Error('The instance is not running.'));
      return new Promise((resolve) => {
        const onMessage = (m: { stats?: Awaited<ReturnType<Instance['stats']>> }) => {
          if (!m.stats) return;
          proc.off('message', onMessage);
          resolve(m.stats);
        };
        proc.on('message', onMessage);
        proc.send({ stats: true });
      });
    },
  };
  await instance.start();
  return instance;
}
