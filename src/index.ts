export type { Clock, TimerId } from './platform/clock.js';
export { systemClock } from './platform/clock.js';
export type { Environment, EnvironmentEvent } from './platform/environment.js';
export { createBrowserEnvironment } from './platform/environment.js';
export { SyncError, OutboxFullError, isSyncError } from './model/errors.js';
export type { SyncErrorKind, SyncErrorOptions } from './model/errors.js';
export type { BaseMessage, Message, Thread, SyncState, ThreadSyncStatus, HealthState, HealthStatus, DegradedReason, PendingWrite, PendingWriteBase, PendingWriteState, Mutator } from './model/types.js';
export type { OpPath, ThreadOp, ThreadPatch } from './model/ops.js';
export type { WireMutation, PushRequest, PushResult, PushResponse, PullRequest, PullResponse, ServerEvent, RequestOptions, StreamOptions, SyncConnector } from './protocol/wire.js';
export type { StoredWrite, StoredError, OutboxMeta, OutboxStorage } from './platform/storage.js';

export { createSyncClient } from './client/createSyncClient.js';
export type { AnySyncClient, SyncClient, SyncClientOptions, SyncSchemas, SyncStore, SyncStoreState } from './client/types.js';
export type {
  BuiltinMutationArgs,
  BuiltinsFor,
  MutationArgs,
  MutationName,
  MutatorDefs,
  NoMutators,
  TypedPendingWrite,
} from './model/mutations.js';
export type { StandardSchemaV1, StandardResult, StandardIssue } from './model/standardSchema.js';
export { createHttpConnector } from './transport/httpConnector.js';
export type { HttpConnectorOptions } from './transport/httpConnector.js';
export { mergeThreads } from './model/mergeThreads.js';
export { builtinMutators, MutationError, emptyThread } from './model/mutators.js';
export { createMemoryStorage } from './platform/memoryStorage.js';
export { createIndexedDbStorage } from './platform/indexedDbStorage.js';
export type { IndexedDbStorageOptions } from './platform/indexedDbStorage.js';
export { defaultStorage } from './platform/defaultStorage.js';
export type { SyncTraceEvent, TabRole, TracedWrite, TracedResult } from './client/metrics/trace.js';
export type { SyncMetrics, LatencyQuantiles } from './client/metrics/types.js';
