/**
 * What one write costs on the wire as a thread grows (`npm run bench`, docs/protocol.md, "Protocol
 * v2"): the bytes a subscriber's event stream receives for one new 100-B message, and the bytes a
 * client that missed 5 small writes receives from its catch-up pull, and the median push of one
 * small message, on threads of 10 to 10 000
 * messages of 2 KB, over real HTTP on loopback (the dev server: createSyncHandler on the memory
 * store). Protocol v1 beside it, as an older client meets the same server.
 */
import { builtinMutators } from '../src/model/mutators.js';
import type { Message, Mutator, Thread } from '../src/model/types.js';
import { createDevServer } from '../src/server/dev/devServer.js';
import { serverMutators } from '../src/server/semantics/serverMutators.js';

export const WIRE_SIZES = [10, 100, 1_000, 10_000] as const;

const table: Record<string, Mutator> = {
  ...builtinMutators,
  ...serverMutators,
  // Seeds a long thread in one version.
  seed(draft: Thread, args: { count: number }) {
    const body = 'x'.repeat(2048);
    for (let i = 0; i < args.count; i++) draft.messages.push({ id: `s${i}`, role: 'user', content: body, createdAt: i } as Message);
  },
};

export interface WireBytesRow {
  messages: number;
  /** Stream bytes for one new 100-B message: protocol v2, v1. */
  streamV2: number;
  streamV1: number;
  /** Pull bytes after 5 missed small writes: v2, v1. */
  catchUpV2: number;
  catchUpV1: number;
  /** Median of 50 pushes of one small message (ms), over HTTP. */
  pushMedianMs: number;
}

async function pushMedianMs(base: string, threadId: string, tag: string): Promise<number> {
  const times: number[] = [];
  for (let seq = 1; seq <= 50; seq++) {
    const mutation = { seq, id: `${tag}-${seq}`, threadId, name: 'addMessage', args: small(`${tag}-${seq}`), createdAt: 1 };
    const start = performance.now();
    const res = await fetch(`${base}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: `push-${tag}`, epoch: 1, mutations: [mutation] }),
    });
    await res.arrayBuffer();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

const small = (id: string) => ({ message: { id, role: 'user', content: 'y'.repeat(100), createdAt: 1 } });

/** Bytes an SSE connection receives from the write until the event of version `v` has arrived. */
async function streamBytes(url: string, write: () => void, v: number): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  // The opening frames (retry hint, keepalive) come before the write.
  await reader.read();
  write();
  let bytes = 0;
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    text += decoder.decode(value, { stream: true });
    if (text.includes(`"v":${v}`) && text.endsWith('\n\n')) break;
  }
  controller.abort();
  return bytes;
}

async function pullBytes(base: string, threadId: string, known: number, protocol?: 2): Promise<number> {
  const res = await fetch(`${base}/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: 'bench', threads: { [threadId]: known }, ...(protocol ? { protocol } : {}) }),
  });
  return (await res.arrayBuffer()).byteLength;
}

export async function wireBytesBench(): Promise<WireBytesRow[]> {
  const server = await createDevServer({ keepaliveMs: 60_000 });
  const rows: WireBytesRow[] = [];
  try {
    for (const messages of WIRE_SIZES) {
      const t = `wire-${messages}`;
      server.backend.serverWrite(t, 'seed', { count: messages }, table);
      let v = server.backend.thread(t)!.v;
      const write = (id: string) => () => {
        server.backend.serverWrite(t, 'addMessage', small(id), table);
      };
      const streamV2 = await streamBytes(`${server.url}/events?protocol=2`, write(`a${messages}`), ++v);
      const streamV1 = await streamBytes(`${server.url}/events`, write(`b${messages}`), ++v);
      const known = v;
      for (let i = 0; i < 5; i++) write(`c${messages}-${i}`)();
      const catchUpV2 = await pullBytes(server.url, t, known, 2);
      const catchUpV1 = await pullBytes(server.url, t, known);
      const median = await pushMedianMs(server.url, t, `p${messages}`);
      rows.push({ messages, streamV2, streamV1, catchUpV2, catchUpV1, pushMedianMs: median });
    }
  } finally {
    await server.close();
  }
  return rows;
}
