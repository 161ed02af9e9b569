import { produce } from 'immer';
import type { PullRequest, PullResponse, ServerEvent, StreamOptions, SyncConnector, Thread } from 'syncline';
import { builtinMutators } from '../../src/model/mutators.js';
import { diffThreads } from '../../src/model/diffThreads.js';
import type { ThreadPatch } from '../../src/model/ops.js';

/**
 * A minimal protocol v2 server for one thread, in memory: writes run the real mutators and become
 * patches by `diffThreads`; a pull naming a version gets the ops since it (v1 requests get the
 * thread); the stream's events are delivered by the test, so it can drop, repeat and reorder them.
 */
export interface V2Server {
  thread(): Thread;
  /** Runs a built-in on the server; returns the patch it made (no version when refused). */
  write(name: string, args: unknown): ThreadPatch | null;
  history(): ThreadPatch[];
  /** Sends an event to every open stream (its cursor is filled in). */
  emit(event: DistributiveOmit<ServerEvent, 'id'>): void;
  pulls: PullRequest[];
  connector: SyncConnector;
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export function createV2Server(initial: Thread, options: { v1?: boolean } = {}): V2Server {
  let thread = initial;
  const history: ThreadPatch[] = [];
  const streams = new Set<StreamOptions>();
  const pulls: PullRequest[] = [];
  let cursor = 0;
  const since = (v: number): ThreadPatch => {
    const run = history.filter((p) => p.fromV >= v);
    return { threadId: thread.id, fromV: v, v: thread.v, ops: run.flatMap((p) => p.ops) };
  };
  return {
    thread: () => thread,
    history: () => history,
    pulls,
    write(name, args) {
      const before = thread;
      try {
        thread = produce(thread, (d) => {
          builtinMutators[name]!(d, args);
          d.v += 1;
        });
      } catch {
        return null;
      }
      const patch = { threadId: thread.id, fromV: before.v, v: thread.v, ops: diffThreads(before, thread) };
      history.push(patch);
      return patch;
    },
    emit(event) {
      const id = String(++cursor);
      for (const stream of streams) {
        stream.onFrame();
        stream.onEvent(JSON.parse(JSON.stringify({ ...event, id })) as ServerEvent);
      }
    },
    connector: {
      push: () => Promise.resolve({ lastSeq: 0, results: [] }),
      ping: () => Promise.resolve(),
      pull(request): Promise<PullResponse> {
        pulls.push(request);
        const known = request.threads[thread.id];
        const answer: PullResponse = { cursor: String(cursor), threads: [] };
        if (known === undefined || known >= thread.v) return Promise.resolve(answer);
        if (request.protocol === 2 && !options.v1 && known > 0) answer.patches = [since(known)];
        else answer.threads = [thread];
        return Promise.resolve(JSON.parse(JSON.stringify(answer)) as PullResponse);
      },
      openStream(stream) {
        return new Promise((resolve) => {
          streams.add(stream);
          stream.onOpen();
          stream.onFrame();
          stream.signal.addEventListener('abort', () => {
            streams.delete(stream);
            resolve();
          });
        });
      },
    },
  };
}
