import { isSyncError } from '../model/errors.js';
import type { DegradedReason, HealthStatus } from '../model/types.js';

/**
 * What holds against the connection right now; the strongest one becomes `degradedReason`. The
 * stream is down for one reason at a time: 'stale' or 'stream-unavailable', never both.
 */
export type Causes = Set<DegradedReason>;

/** Which request a `request-*` event is about. Pings prove reachability, not sync. */
export type HealthRequest = 'push' | 'pull' | 'ping';

/**
 * The degradation a failed request stands for, or null when the failure says nothing about the
 * connection (a rejected mutation, a full outbox, storage).
 */
export function reasonForError(
  error: unknown,
  context: { offline?: boolean; request?: HealthRequest } = {},
): DegradedReason | null {
  // A non-SyncError thrown by a connector is most likely fetch's TypeError: a network failure.
  const kind = isSyncError(error) ? error.kind : 'network';
  const status = isSyncError(error) ? error.status : undefined;
  // Only a push can be fenced (docs/outbox.md): a 409 or a `fenced` error on any other request
  // says nothing about who may write, so it counts as the server failing.
  if (kind === 'fenced') return context.request === 'push' ? 'fenced' : 'server-errors';
  if (kind === 'auth' || status === 401 || status === 403) return 'auth';
  if (kind === 'rejected' || kind === 'outbox-full' || kind === 'storage') return null;
  const unreachable = kind === 'network' || kind === 'timeout';
  if (unreachable && (context.offline || context.request === 'ping')) return 'offline';
  return 'server-errors';
}

/**
 * Reads back the causes a status still shows. HealthStatus holds one reason, so a cause hidden
 * under a stronger one is partly forgotten: the stream being down survives (transport
 * 'polling'), but whether it went down by going silent does not, and it reads back as
 * 'stream-unavailable' — which is true by then, as a stale stream has been torn down.
 * A hidden 'server-errors' is forgotten too: the next request says whether it still holds.
 */
export function causesOf(h: HealthStatus): Causes {
  const reason = h.degradedReason;
  const causes: Causes = new Set();
  if (reason === 'fenced' || reason === 'auth' || reason === 'server-errors') causes.add(reason);
  if (h.state === 'offline') causes.add('offline');
  if (h.transport === 'polling') causes.add(reason === 'stale' ? 'stale' : 'stream-unavailable');
  return causes;
}
