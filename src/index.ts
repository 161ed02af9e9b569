export type { Clock, TimerId } from './core/clock.js';
export { systemClock } from './core/clock.js';
export type { Environment, EnvironmentEvent } from './core/environment.js';
export { createBrowserEnvironment } from './core/environment.js';
export { SyncError, OutboxFullError, isSyncError } from './core/errors.js';
export type { SyncErrorKind, SyncErrorOptions } from './core/errors.js';
export type {
  Message,
  Thread,
  SyncState,
  ThreadSyncStatus,
  HealthState,
  HealthStatus,
  DegradedReason,
  PendingWrite,
  PendingWriteState,
  Mutator,
  WireMutation,
  PushRequest,
  PushResult,
  PushResponse,
  PullRequest,
  PullResponse,
  ServerEvent,
  RequestOptions,
  StreamOptions,
  SyncConnector,
  StoredWrite,
  StoredError,
  OutboxMeta,
  OutboxStorage,
} from './core/types.js';
