import type { ThreadPatch } from '../model/ops.js';
import type { Thread } from '../model/types.js';

// Protocols v1 and v2 on the wire (docs/protocol.md): requests, answers, events, and the connector that speaks it.

export interface WireMutation {
  seq: number;
  id: string;
  threadId: string;
  name: string;
  args: unknown;
  createdAt: number;
}

export interface PushRequest {
  clientId: string;
  epoch: number;
  mutations: WireMutation[];
}

export type PushResult =
  | { seq: number; status: 'applied' | 'duplicate'; v?: number }
  | { seq: number; status: 'rejected'; error: { code: string; message: string } };

export interface PushResponse {
  lastSeq: number;
  results: PushResult[];
}

export interface PullRequest {
  clientId: string;
  cursor?: string | null;
  /** threadId -> the version the client already has (0 when it has none). */
  threads: Record<string, number>;
  /**
   * 2: the client understands `patches` in the answer (protocol v2, docs/protocol.md). Absent: a v1
   * client, answered with whole threads only.
   */
  protocol?: 2;
}

export interface PullResponse {
  cursor: string;
  threads: Thread[];
  /**
   * Protocol v2: per thread, the ops from the version the client named to the current one, when
   * the server still has them and they are smaller than the thread (else the thread is in `threads`).
   * A thread id is in `threads` or in `patches`, never both.
   */
  patches?: ThreadPatch[];
}

export type ServerEvent =
  | { type: 'thread'; id: string; thread: Thread }
  | { type: 'delta'; id: string; threadId: string; messageId: string; v: number; text: string }
  /** Protocol v2: what one or more versions changed; applies only on the thread at `patch.fromV`. */
  | { type: 'patch'; id: string; patch: ThreadPatch }
  | { type: 'reset'; id: string | null };

export interface RequestOptions {
  signal?: AbortSignal;
  /** For the last push on `pagehide`: the request outlives the page. */
  keepalive?: boolean;
}

export interface StreamOptions {
  /** Resume point (`Last-Event-ID`); null for "from now". */
  cursor: string | null;
  /**
   * 1: ask for whole threads and deltas only (a client whose app checks every thread with a
   * schema). Absent: protocol v2, patches (docs/protocol.md).
   */
  protocol?: 1;
  signal: AbortSignal;
  /** The response headers arrived with a 200 and an event-stream body. */
  onOpen(): void;
  /** Any event or keepalive comment (a `retry:` line alone is not a frame). */
  onFrame(): void;
  onEvent(event: ServerEvent): void;
  /** The server's `retry:` hint, in ms. */
  onRetryHint?(ms: number): void;
  /** An event over the connector's size limit was skipped (not buffered); the stream goes on. */
  onOversizedEvent?(event: OversizedEvent): void;
}

/** What the start of a skipped, oversized event said. */
export interface OversizedEvent {
  /** Its `event:` type, when that came before the limit. */
  type: string | null;
  /** The thread it was about, when its start named one; null: every thread may be behind. */
  threadId: string | null;
}

/**
 * What the client needs from a server. Every method rejects with a `SyncError`.
 * `createHttpConnector` speaks protocol v1 over HTTP; `createFakeBackend().connector` in memory.
 */
export interface SyncConnector {
  push(request: PushRequest, options?: RequestOptions): Promise<PushResponse>;
  pull(request: PullRequest, options?: RequestOptions): Promise<PullResponse>;
  ping(options?: RequestOptions): Promise<void>;
  /**
   * Opens the event stream. Resolves when the server ends the stream cleanly, rejects with a
   * SyncError when it cannot be opened or breaks. Aborting `signal` resolves it.
   * Optional: a connector without it is polled only.
   */
  openStream?(options: StreamOptions): Promise<void>;
}

