import { isSyncError } from './errors.js';
import type { HealthRequest } from './health.js';
import type { DegradedReason, HealthStatus } from './types.js';

/** What holds against the connection right now; the strongest one becomes `degradedReason`. */
export interface Causes {
  fenced: boolean;
  auth: boolean;
  offline: boolean;
  serverErrors: boolean;
  stream: 'stale' | 'push-unavailable' | null;
}

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
  if (kind === 'fenced' || status === 409) return 'fenced';
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
 * 'push-unavailable' — which is true by then, as a stale stream has been torn down.
 * A hidden 'server-errors' is forgotten too: the next request says whether it still holds.
 */
export function causesOf(h: HealthStatus): Causes {
  const r = h.degradedReason;
  return {
    fenced: r === 'fenced',
    auth: r === 'auth',
    offline: h.state === 'offline',
    serverErrors: r === 'server-errors',
    stream:
      h.transport !== 'polling' ? null : r === 'stale' || r === 'push-unavailable' ? r : 'push-unavailable',
  };
}

export function addCause(c: Causes, reason: DegradedReason | null): void {
  if (reason === 'fenced') c.fenced = true;
  else if (reason === 'auth') c.auth = true;
  else if (reason === 'offline') c.offline = true;
  else if (reason === 'server-errors') c.serverErrors = true;
}

export function topReason(c: Causes): DegradedReason | null {
  if (c.fenced) return 'fenced';
  if (c.auth) return 'auth';
  if (c.offline) return 'offline';
  if (c.serverErrors) return 'server-errors';
  return c.stream;
}
